package io.emeth.chain.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A component run as a separate JVM with the test classpath, so that an IT can SIGKILL it the way
 * an operator's machine would lose it. Its output goes to a file under {@code target/}.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} with the properties written to a file passed as its argument. */
    public static ChildJvm start(Class<?> mainClass, Properties props, String name)
            throws IOException {
        Path dir = Path.of("target", "child-jvms");
        Files.createDirectories(dir);
        Path config = Files.createTempFile(dir, name + "-", ".properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, name);
        }
        Path log = dir.resolve(config.getFileName().toString().replace(".properties", ".log"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.add(config.toAbsolutePath().toString());
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        // a test JVM that dies must not leave its children running
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return new ChildJvm(process, log);
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

    public boolean isAlive() {
        return process.isAlive();
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
