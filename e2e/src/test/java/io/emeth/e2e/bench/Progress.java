package io.emeth.e2e.bench;

import io.emeth.deploy.dev.NodeProcesses;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The load drill's waits: a count other threads fill must reach its target. A benchmark has no
 * fixed timeout (its length is what it measures), so a wait fails only when it sees no progress for
 * {@code stall}, or when the indexer or the master exits; it prints where it stands every 15 s.
 */
final class Progress {
    /** A wait that saw no progress, or lost a node process; the message names the logs to read. */
    static final class Stalled extends Exception {
        private static final long serialVersionUID = 1L;

        Stalled(String message) {
            super(message);
        }
    }

    private static final List<String> WATCHED =
            List.of(NodeProcesses.INDEXER, NodeProcesses.MASTER);

    private final NodeProcesses node;
    private final Duration stall;

    Progress(NodeProcesses node, Duration stall) {
        this.node = node;
        this.stall = stall;
    }

    void await(String what, IntSupplier count, int target) throws Stalled, InterruptedException {
        int last = -1;
        long lastProgress = System.nanoTime();
        long lastPrint = 0;
        while (true) {
            int now = count.getAsInt();
            if (now >= target) {
                return;
            }
            if (now != last) {
                last = now;
                lastProgress = System.nanoTime();
            }
            for (String component : WATCHED) {
                if (node.process(component).isEmpty()) {
                    throw new Stalled(
                            String.format(
                                    "%s exited while waiting for %s; see %s",
                                    component, what, node.log(component)));
                }
            }
            if (System.nanoTime() - lastProgress > stall.toNanos()) {
                throw new Stalled(
                        String.format(
                                "%s: %d of %d, no progress for %s; see %s and %s",
                                what,
                                now,
                                target,
                                stall,
                                node.log(NodeProcesses.INDEXER),
                                node.log(NodeProcesses.MASTER)));
            }
            if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(15)) {
                System.out.printf("  waiting for %s: %d of %d%n", what, now, target);
                lastPrint = System.nanoTime();
            }
            TimeUnit.MILLISECONDS.sleep(200); // polling counters other threads fill
        }
    }
}
