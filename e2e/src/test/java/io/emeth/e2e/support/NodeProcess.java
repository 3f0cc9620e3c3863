package io.emeth.e2e.support;

import io.emeth.chain.it.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process of the node as an operator runs it, {@code emeth <command> --config <file>}, in a JVM
 * of its own (the test classpath) so that a drill can SIGKILL it and start it again with the same
 * command line. Every start appends to one log, behind a marker line.
 */
public final class NodeProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);
    private static final String LAUNCHER = "io.emeth.deploy.Emeth";

    private final String name;
    private final List<String> jvmOptions;
    private final String classpath;
    private final List<String> args;
    private final Map<String, String> env;
    private final Path logFile;
    private ChildJvm jvm;
    private int starts;

    private NodeProcess(
            String name,
            List<String> jvmOptions,
            String classpath,
            List<String> args,
            Map<String, String> env,
            Path logFile) {
        this.name = name;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classpath = classpath;
        this.args = List.copyOf(args);
        this.env = Map.copyOf(env);
        this.logFile = logFile;
    }

    /** Starts {@code emeth <args>} as {@code name}, logging to {@code <logDir>/<name>.log}. */
    public static NodeProcess start(
            String name,
            Path logDir,
            List<String> jvmOptions,
            Map<String, String> env,
            List<String> args) {
        return start(name, logDir, jvmOptions, System.getProperty("java.class.path"), env, args);
    }

    /** As {@link #start(String, Path, List, Map, List)} on the given class path. */
    public static NodeProcess start(
            String name,
            Path logDir,
            List<String> jvmOptions,
            String classpath,
            Map<String, String> env,
            List<String> args) {
        NodeProcess p =
                new NodeProcess(
                        name, jvmOptions, classpath, args, env, logDir.resolve(name + ".log"));
        p.startJvm();
        return p;
    }

    /** SIGKILL, then waits until the process is gone. */
    public void kill() {
        long pid = jvm.pid();
        jvm.kill();
        if (jvm.isAlive()) {
            throw new IllegalStateException(name + " (pid " + pid + ") survived SIGKILL");
        }
        log.info("Killed [process:{}, pid:{}]", name, pid);
    }

    /** Starts the same command again; the previous run must have ended. */
    public void restart() {
        if (jvm.isAlive()) {
            throw new IllegalStateException(name + " is still running (pid " + jvm.pid() + ")");
        }
        startJvm();
    }

    public boolean isAlive() {
        return jvm.isAlive();
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    /** The last {@code lines} lines of the log (all runs). */
    public List<String> tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(cannot read " + logFile + ": " + e.getMessage() + ")");
        }
    }

    private void startJvm() {
        starts++;
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(
                    logFile,
                    marker(starts) + " " + Instant.now() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            jvm = ChildJvm.start(jvmOptions, classpath, LAUNCHER, args, env, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
        log.info(
                "Started [process:{}, pid:{}, run:{}, command:emeth {}]",
                name,
                jvm.pid(),
                starts,
                String.join(" ", args));
    }

    private String marker(int run) {
        return "===== " + name + " run " + run + " =====";
    }

    /** Asks the process to stop (SIGTERM: its shutdown hooks run), SIGKILL after {@code grace}. */
    public void stop(java.time.Duration grace) {
        if (jvm != null && jvm.isAlive()) {
            jvm.terminate(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the process for good (SIGKILL: the drill's data is thrown away with it). */
    @Override
    public void close() {
        if (jvm != null) {
            jvm.close();
        }
    }
}
