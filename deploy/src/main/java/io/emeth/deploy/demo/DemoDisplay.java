package io.emeth.deploy.demo;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What the demo prints: numbered steps with their outcome and time, and progress bars on a
 * terminal. When the output is not a terminal (a log, CI), a bar would print a line per refresh, so
 * progress comes as one line per change instead.
 */
public final class DemoDisplay {
    private final PrintStream out;
    private final boolean terminal;
    private final int steps;
    private long stepStarted;

    public DemoDisplay(PrintStream out, boolean terminal, int steps) {
        this.out = out;
        this.terminal = terminal;
        this.steps = steps;
    }

    /** Starts step {@code n} of the demo. */
    public void step(int n, String title) {
        stepStarted = System.nanoTime();
        out.printf("%n[%d/%d] %s%n", n, steps, title);
    }

    /** A detail of the running step. */
    public void info(String format, Object... args) {
        out.println("      " + String.format(format, args));
    }

    /** The running step succeeded. */
    public void done(String format, Object... args) {
        out.printf(
                "  ✓   %s (%.1f s)%n",
                String.format(format, args),
                Duration.ofNanos(System.nanoTime() - stepStarted).toMillis() / 1000.0);
    }

    public PrintStream out() {
        return out;
    }

    /** A progress bar over {@code max} units. */
    public Bar bar(String task, long max) {
        return terminal ? new TerminalBar(task, max, out) : new LineBar(task, max, out);
    }

    /** A progress bar: {@code update} with the units done and a short message. */
    public interface Bar extends AutoCloseable {
        void update(long done, String message);

        @Override
        void close();
    }

    private static final class TerminalBar implements Bar {
        private final ProgressBar bar;

        TerminalBar(String task, long max, PrintStream out) {
            this.bar =
                    new ProgressBarBuilder()
                            .setTaskName("      " + task)
                            .setInitialMax(max)
                            .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                            .setUpdateIntervalMillis(200)
                            .setConsumer(new ConsoleProgressBarConsumer(out))
                            .hideEta()
                            .build();
        }

        @Override
        public void update(long done, String message) {
            bar.stepTo(done);
            bar.setExtraMessage(message);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class LineBar implements Bar {
        private final String task;
        private final long max;
        private final PrintStream out;
        private String last = "";

        LineBar(String task, long max, PrintStream out) {
            this.task = task;
            this.max = max;
            this.out = out;
        }

        @Override
        public void update(long done, String message) {
            String line = String.format("      %s %d/%d %s", task, done, max, message);
            if (!line.equals(last)) {
                out.println(line);
                last = line;
            }
        }

        @Override
        public void close() {}
    }
}
