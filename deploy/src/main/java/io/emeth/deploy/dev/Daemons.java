package io.emeth.deploy.dev;

import io.emeth.deploy.OperatorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the stack's components as detached processes (their own session, so that a Ctrl-C in the
 * terminal that ran {@code emeth dev up} does not stop them), remembers them in pid files and stops
 * them. A pid file is trusted only while its process still runs the command it was written for, so
 * a reused pid is never killed.
 */
final class Daemons {
    private final StackLayout layout;

    Daemons(StackLayout layout) {
        this.layout = layout;
    }

    /** The running process of a component, if its pid file names a live process of ours. */
    Optional<ProcessHandle> running(String component) {
        Path pidFile = layout.pidFile(component);
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            String[] parts = Files.readString(pidFile).trim().split("\\s+", 2);
            long pid = Long.parseLong(parts[0]);
            String marker = parts.length > 1 ? parts[1] : "";
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> commandLine(p).contains(marker));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The process' full command line. The JDK's {@code ProcessHandle.Info} cuts long command lines
     * (ours carry a classpath of ~170 jars), so read Linux's /proc first.
     */
    private static String commandLine(ProcessHandle process) {
        Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        try {
            return Files.readString(cmdline).replace('\0', ' ');
        } catch (IOException e) {
            return process.info().commandLine().orElse("");
        }
    }

    /**
     * Starts {@code command} detached, output appended to the component's log; {@code marker} is a
     * string of its command line that identifies it later.
     */
    ProcessHandle start(String component, List<String> command, String marker) {
        return start(component, command, marker, Map.of());
    }

    /** As {@link #start(String, List, String)}, with extra environment variables. */
    ProcessHandle start(
            String component, List<String> command, String marker, Map<String, String> env) {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        full.addAll(command);
        try {
            Files.createDirectories(layout.logs());
            Files.createDirectories(layout.pidFile(component).getParent());
            ProcessBuilder builder = new ProcessBuilder(full);
            builder.environment().putAll(env);
            Process process =
                    builder.directory(layout.repoRoot().toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(
                                    ProcessBuilder.Redirect.appendTo(
                                            layout.log(component).toFile()))
                            .redirectInput(
                                    ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                            .start();
            // setsid execs the command in place, so the pid is the component's own
            Files.writeString(layout.pidFile(component), process.pid() + " " + marker + "\n");
            awaitExec(process, marker);
            return process.toHandle();
        } catch (IOException e) {
            throw new OperatorException(
                    "could not start " + component + " (" + command.get(0) + "): " + e.getMessage(),
                    e);
        }
    }

    /**
     * Waits until the new process runs its own command: until the JDK's spawn helper and setsid
     * have exec'd it, its command line is theirs and {@link #running} would not know it.
     */
    private static void awaitExec(Process process, String marker) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (process.isAlive()
                && !commandLine(process.toHandle()).contains(marker)
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops a component gracefully, forcibly after {@code grace}; true if one was running. */
    boolean stop(String component, Duration grace) {
        Optional<ProcessHandle> process = running(component);
        process.ifPresent(
                p -> {
                    p.destroy();
                    try {
                        p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (Exception timeout) {
                        p.destroyForcibly();
                        p.onExit().join();
                    }
                });
        try {
            Files.deleteIfExists(layout.pidFile(component));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return process.isPresent();
    }
}
