package io.emeth.chain.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A component run as a separate JVM with the test classpath, so that an IT can SIGKILL it the way
 * an operator's machine would lose it. Its output goes to a file under {@code target/}.
 */
public final class ChildJvm implements AutoCloseable {
    /** The JVM options of a small component: a 256 MB heap, quick start. */
    public static final List<String> SMALL_JVM =
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} with the properties written to a file passed as its argument. */
    public static ChildJvm start(Class<?> mainClass, Properties props, String name)
            throws IOException {
        return start(mainClass, props, name, List.of());
    }

    /** The same with {@code jvmOptions} (e.g. {@code -Dkey=value}) after the small JVM's own. */
    public static ChildJvm start(
            Class<?> mainClass, Properties props, String name, List<String> jvmOptions)
            throws IOException {
        Path dir = logDir();
        Path config = Files.createTempFile(dir, name + "-", ".properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, name);
        }
        Path log = dir.resolve(config.getFileName().toString().replace(".properties", ".log"));
        List<String> options = new ArrayList<>(SMALL_JVM);
        options.addAll(jvmOptions);
        return start(
                options,
                mainClass.getName(),
                List.of(config.toAbsolutePath().toString()),
                Map.of(),
                log);
    }

    /**
     * Starts {@code java <jvmOptions> -cp <test classpath> <mainClass> <args>} with {@code env}
     * added to this JVM's environment, its output appended to {@code log}.
     */
    public static ChildJvm start(
            List<String> jvmOptions,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log)
            throws IOException {
        return start(jvmOptions, System.getProperty("java.class.path"), mainClass, args, env, log);
    }

    /** As {@link #start(List, String, List, Map, Path)} on the given class path. */
    public static ChildJvm start(
            List<String> jvmOptions,
            String classpath,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        // a test JVM that dies must not leave its children running
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return new ChildJvm(process, log);
    }

    /** Where child JVM logs go by default: {@code target/child-jvms}. */
    public static Path logDir() throws IOException {
        return Files.createDirectories(Path.of("target", "child-jvms"));
    }

    /** SIGKILL: no shutdown hook, no flush, no transaction abort. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM (shutdown hooks run), then SIGKILL if it has not ended within {@code grace}. */
    public void terminate(long grace, TimeUnit unit) {
        process.destroy();
        try {
            if (!process.waitFor(grace, unit)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /** Waits for the process to end by itself; true if it did within the timeout. */
    public boolean awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
