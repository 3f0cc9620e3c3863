package io.emeth.master.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A {@link MasterProcess} child JVM started with this JVM's class path; its output goes to a log.
 */
public final class ChildMaster implements AutoCloseable {
    public final String name;
    public final Path log;
    private final Process process;

    private ChildMaster(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    public static ChildMaster start(String name, Path config, Path logDir) throws IOException {
        return start(
                name, config, logDir, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    }

    /** Starts one with these JVM options (heap size, collector). */
    public static ChildMaster start(String name, Path config, Path logDir, String... jvmOptions)
            throws IOException {
        Path log = logDir.resolve("master-" + name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process =
                new ProcessBuilder(command(java, jvmOptions, config))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        ChildMaster child = new ChildMaster(name, log, process);
        Awaitility.await("master " + name + " started (see " + log + ")")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException(
                                        "master " + name + " exited: " + Files.readString(log));
                            }
                            return Files.readString(log).contains(MasterProcess.STARTED);
                        });
        return child;
    }

    private static List<String> command(String java, String[] jvmOptions, Path config) {
        List<String> command = new java.util.ArrayList<>();
        command.add(java);
        command.addAll(List.of(jvmOptions));
        command.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        MasterProcess.class.getName(),
                        config.toString()));
        return command;
    }

    /** The child's process id (for jcmd). */
    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no clean close, open transactions left behind. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
