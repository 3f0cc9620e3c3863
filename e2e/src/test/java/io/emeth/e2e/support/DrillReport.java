package io.emeth.e2e.support;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A drill's account of itself: the timeline of what it did to the node (each step with the seconds
 * since the drill started), printed after the test, and on a failure added to the failure together
 * with the tail of every node process' log, so that the report says what the indexer, gateway,
 * master, workers and admin-rpc were doing when it failed.
 */
public final class DrillReport implements TestExecutionExceptionHandler, AfterEachCallback {
    private final long startedAt = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    private final List<Supplier<List<NodeProcess>>> sources = new ArrayList<>();

    /** Adds a step to the timeline. */
    public synchronized void note(String step) {
        timeline.add(
                String.format("drill +%6.1f s  %s", (System.nanoTime() - startedAt) / 1e9, step));
    }

    /** Watches the processes {@code source} answers at the time of a failure. */
    public void watch(Supplier<List<NodeProcess>> source) {
        sources.add(source);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure)
            throws Throwable {
        List<NodeProcess> processes = new ArrayList<>();
        sources.forEach(source -> processes.addAll(source.get()));
        throw new AssertionError(
                failure.getMessage()
                        + "\n\n----- drill timeline -----\n"
                        + timeline()
                        + LogTails.of(processes),
                failure);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.out.print(timeline());
    }

    private synchronized String timeline() {
        StringBuilder text = new StringBuilder();
        timeline.forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }
}
