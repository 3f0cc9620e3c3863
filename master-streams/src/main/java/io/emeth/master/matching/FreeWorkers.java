package io.emeth.master.matching;

import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;

/** Views of the free index (strongest first) as {@link Candidate}s for the matcher. */
final class FreeWorkers {
    private FreeWorkers() {}

    static Candidate candidate(KeyValue<String, String> entry) {
        return new Candidate(entry.value, PoolKeys.freeCapacity(entry.key));
    }

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

    static Iterator<Candidate> candidates(Iterator<KeyValue<String, String>> it) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Candidate next() {
                return candidate(it.next());
            }
        };
    }
}
