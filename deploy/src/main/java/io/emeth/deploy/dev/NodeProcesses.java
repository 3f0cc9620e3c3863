package io.emeth.deploy.dev;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's own processes on the dev stack, each {@code emeth <command> -c <config>} in a JVM of
 * its own, as an operator runs them: the indexer (with the chain gateway), the master, admin-rpc
 * and the two dev workers. {@code emeth dev demo} starts them; {@code emeth dev down} stops them
 * with the stack.
 */
public final class NodeProcesses {
    public static final String INDEXER = "indexer";
    public static final String MASTER = "master";
    static final String ADMIN_RPC = "admin-rpc";
    static final String WORKER_1 = "worker-1";
    static final String WORKER_2 = "worker-2";

    /** In start order: the workers ask admin-rpc for their pool when they start. */
    static final List<String> COMPONENTS = List.of(INDEXER, MASTER, ADMIN_RPC, WORKER_1, WORKER_2);

    private final StackLayout layout;
    private final Daemons daemons;

    public NodeProcesses(StackLayout layout) {
        this.layout = layout;
        this.daemons = new Daemons(layout);
    }

    boolean running(String component) {
        return daemons.running(component).isPresent();
    }

    /** The component's running process (its pid, CPU time), if it runs. */
    public Optional<ProcessHandle> process(String component) {
        return daemons.running(component);
    }

    /** Starts the component unless it runs; returns true if it started it. */
    public boolean start(String component) {
        if (running(component)) {
            return false;
        }
        daemons.start(component, command(component), marker(component), environment());
        return true;
    }

    /** Stops the running components, workers first; returns those it stopped. */
    public List<String> stopAll() {
        List<String> stopped = new ArrayList<>();
        List<String> reversed = new ArrayList<>(COMPONENTS);
        Collections.reverse(reversed);
        for (String component : reversed) {
            if (daemons.stop(component, Duration.ofSeconds(30))) {
                stopped.add(component);
            }
        }
        return stopped;
    }

    /** One status line per component that runs. */
    List<String> status() {
        List<String> lines = new ArrayList<>();
        for (String component : COMPONENTS) {
            daemons.running(component)
                    .ifPresent(
                            p ->
                                    lines.add(
                                            String.format(
                                                    "%-9s running (pid %d)", component, p.pid())));
        }
        return lines;
    }

    public Path log(String component) {
        return layout.log(component);
    }

    private List<String> command(String component) {
        String classpath = System.getProperty("java.class.path");
        boolean worker = component.startsWith("worker-");
        List<String> command =
                new ArrayList<>(KafkaBroker.javaCommand(classpath, worker ? "768m" : "384m"));
        command.add(marker(component));
        command.add("-Demeth.root=" + layout.repoRoot());
        command.add("-Dai.djl.offline=true");
        command.add("io.emeth.deploy.Emeth");
        switch (component) {
            case INDEXER -> command.addAll(List.of("indexer", "-c", master()));
            case MASTER -> command.addAll(List.of("master", "-c", master()));
            case ADMIN_RPC -> command.addAll(List.of("admin-rpc", "-c", master()));
            case WORKER_1 ->
                    command.addAll(
                            List.of("worker", "-c", DevConfigs.worker(layout, 1).toString()));
            case WORKER_2 ->
                    command.addAll(
                            List.of("worker", "-c", DevConfigs.worker(layout, 2).toString()));
            default -> throw new IllegalArgumentException("unknown node component " + component);
        }
        return command;
    }

    private String master() {
        return DevConfigs.master(layout).toString();
    }

    /** A system property only this component's command line carries, to find it again. */
    private static String marker(String component) {
        return "-Demeth.component=" + component;
    }

    /**
     * DJL must never download at run time, and libtorch's OpenMP threads must not spin-wait on a
     * shared machine (the launcher sets the same; this keeps it when the demo runs elsewhere).
     */
    private static Map<String, String> environment() {
        String djlCache = System.getenv("DJL_CACHE_DIR");
        return Map.of(
                "OMP_WAIT_POLICY",
                System.getenv().getOrDefault("OMP_WAIT_POLICY", "PASSIVE"),
                "DJL_CACHE_DIR",
                djlCache == null || djlCache.isBlank()
                        ? Path.of(System.getProperty("user.home"), ".djl.ai").toString()
                        : djlCache);
    }
}
