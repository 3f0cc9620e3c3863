package io.emeth.master.matching;

import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/** Filters of the free workers (strongest first) offered to the matcher. */
final class FreeWorkers {
    private FreeWorkers() {}

    /** The candidates not in {@code excluded}. */
    static Iterator<Candidate> eligible(Iterator<Candidate> all, List<String> excluded) {
        return filter(all, c -> !excluded.contains(c.worker()));
    }

    /** The candidates that pass {@code keep}. */
    static Iterator<Candidate> filter(Iterator<Candidate> all, Predicate<Candidate> keep) {
        return new Iterator<>() {
            private Candidate next = advance();

            private Candidate advance() {
                while (all.hasNext()) {
                    Candidate c = all.next();
                    if (keep.test(c)) {
                        return c;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Candidate next() {
                Candidate out = next;
                next = advance();
                return out;
            }
        };
    }
}
