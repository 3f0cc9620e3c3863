package io.emeth.master.matching;

import io.emeth.common.config.Cooperative;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.rules.JobMath;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The one selection rule of matching and re-planning (steps 4 and 5 of the architecture's
 * matching): free workers are taken strongest first until their summed capacity reaches both the
 * job's required capacity {@code R} and the capacity that finishes the remaining epochs before the
 * deadline less the 3,600 s margin ({@link #needed}). {@code nvm} keeps adding workers until both
 * hold; {@code 1v1} takes the single strongest, which must meet both alone. Pure.
 *
 * <p>Checking the margin on a selection that only reaches {@code R} refused jobs that more free
 * workers would finish (3 × 25 for R = 50 with 96,400 s allowed); checking it while selecting, as
 * here, takes every job the free capacity can finish.
 */
public final class Matcher {
    private Matcher() {}

    /**
     * The summed capacity a selection must reach for {@code remaining} of the plan's epochs at
     * {@code now}: {@code max(1, R, least capacity meeting the deadline margin)}; {@code
     * Long.MAX_VALUE} once the margin has passed.
     */
    public static long needed(JobPlan plan, int remaining, long now) {
        long forDeadline =
                JobMath.capacityForDeadline(
                        now, plan.gas(), plan.deadlineMs(), remaining, plan.epochs());
        return Math.max(Math.max(1, plan.requiredCapacity()), forDeadline);
    }

    /**
     * The selection, {@code kept} first then free workers strongest first, whose capacity reaches
     * {@code needed}; an empty list when the workers cannot serve. In {@code 1v1} a selection is a
     * single worker: the kept one, or else the strongest free one.
     */
    public static List<Candidate> select(
            Cooperative mode,
            List<Candidate> kept,
            Iterator<Candidate> strongestFirst,
            long needed) {
        List<Candidate> chosen = new ArrayList<>(kept);
        long sum = capacity(kept);
        if (mode == Cooperative.ONE_V_ONE) {
            if (chosen.isEmpty() && strongestFirst.hasNext()) {
                Candidate strongest = strongestFirst.next();
                chosen.add(strongest);
                sum = strongest.powerCapacity();
            }
            return sum >= needed ? chosen : List.of();
        }
        while (sum < needed && strongestFirst.hasNext()) {
            Candidate next = strongestFirst.next();
            chosen.add(next);
            sum += next.powerCapacity();
        }
        return sum >= needed ? chosen : List.of();
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
