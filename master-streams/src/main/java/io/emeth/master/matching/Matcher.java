package io.emeth.master.matching;

import io.emeth.common.config.Cooperative;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Step 4 of the architecture's matching: from free workers ordered strongest first, {@code nvm}
 * takes workers until their summed power capacity reaches the required capacity; {@code 1v1} takes
 * the single strongest, which must reach it alone. Pure; deadline feasibility is checked by the
 * caller on the selection.
 */
public final class Matcher {
    private Matcher() {}

    /** The selection, strongest first, or an empty list when the workers cannot serve. */
    public static List<Candidate> select(
            Cooperative mode, Iterator<Candidate> strongestFirst, long requiredCapacity) {
        long required = Math.max(1, requiredCapacity);
        List<Candidate> chosen = new ArrayList<>();
        if (mode == Cooperative.ONE_V_ONE) {
            if (strongestFirst.hasNext()) {
                Candidate strongest = strongestFirst.next();
                if (strongest.powerCapacity() >= required) {
                    chosen.add(strongest);
                }
            }
            return chosen;
        }
        long sum = 0;
        while (strongestFirst.hasNext() && sum < required) {
            Candidate next = strongestFirst.next();
            chosen.add(next);
            sum += next.powerCapacity();
        }
        return sum >= required ? chosen : List.of();
    }

    /** The summed power capacity. */
    public static long capacity(List<Candidate> workers) {
        long sum = 0;
        for (Candidate c : workers) {
            sum += c.powerCapacity();
        }
        return sum;
    }
}
