package io.emeth.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.common.config.ConfigWriter;
import io.emeth.contracts.dev.RepoRoot;
import io.emeth.deploy.dev.DevConfigs;
import io.emeth.deploy.dev.DevOptions;
import io.emeth.deploy.dev.LocalStack;
import io.emeth.deploy.dev.StackLayout;
import io.emeth.deploy.dev.StackState;
import io.emeth.e2e.support.ChaosRun;
import io.emeth.e2e.support.DrillNode;
import io.emeth.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The recovery drill (issue #15), a benchmark and not a test: the dev stack on free ports under
 * {@code e2e/target/recovery-drill/}, with the node's processes as an operator runs them
 * (admin-rpc, {@code indexer --role indexer}, {@code indexer --role gateway}, master, two workers;
 * each a JVM of its own, configured by the files {@code emeth dev up} writes).
 *
 * <p>Default mode: while jobs flow (one after the other, each requested, trained, submitted and
 * verified), each component is SIGKILLed and started again in turn, {@code --rounds} times, and the
 * drill reports per component the seconds from the kill to its first useful output ({@link
 * RecoveryScenarios}). {@code --chaos}: {@code --jobs} jobs of {@code --epochs} epochs requested
 * while a random process is SIGKILLed and restarted every 5–15 s until {@code --kills} kills, then
 * the checks of {@link ChaosRun}.
 *
 * <p>Run: {@code mvn -o -q -pl e2e test-compile exec:exec@recovery-drill} (the recovery table) or
 * {@code ... -Drecovery.args=--chaos}. It stops everything it started, also on failure or Ctrl-C.
 */
public final class RecoveryDrill {
    /** The drill's options. */
    static final class Options {
        @Option(names = "--chaos", description = "the chaos drill instead of the recovery table")
        boolean chaos;

        @Option(names = "--rounds", description = "kills per component (default ${DEFAULT-VALUE})")
        int rounds = 3;

        @Option(names = "--jobs", description = "chaos: jobs (default ${DEFAULT-VALUE})")
        int jobs = 20;

        @Option(
                names = "--epochs",
                description = "chaos: epochs per job (default ${DEFAULT-VALUE})")
        int epochs = 4;

        @Option(names = "--kills", description = "chaos: kills (default ${DEFAULT-VALUE})")
        int kills = 100;

        @Option(
                names = "--seed",
                description = "chaos: kill schedule seed (default ${DEFAULT-VALUE})")
        long seed = 15;

        @Option(
                names = "--finish-minutes",
                description =
                        "chaos: how long jobs may take after the last kill (default ${DEFAULT-VALUE})")
        int finishMinutes = 20;

        @Option(
                names = "--worker-away-ms",
                description =
                        "worker_heartbeat_timeout_ms and the learning and wait_data timeouts of"
                                + " master.json (0: the dev defaults, 30 s and 10 s)")
        long workerAwayMs;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecoveryDrill() {}

    public static void main(String[] args) throws Exception {
        Options options = CommandLine.populateCommand(new Options(), args);
        Path home =
                Files.createDirectories(
                                Path.of(
                                        "target",
                                        "recovery-drill",
                                        "run-" + System.currentTimeMillis()))
                        .toAbsolutePath();
        StackLayout layout = new StackLayout(RepoRoot.locate(), home);
        DevOptions dev =
                CommandLine.populateCommand(
                        new DevOptions(),
                        "--kafka-port=" + Ports.free(),
                        "--kafka-controller-port=" + Ports.free(),
                        "--registry-port=" + Ports.free(),
                        "--storage-port=" + Ports.free(),
                        "--anvil-port=" + Ports.free());
        LocalStack stack = new LocalStack(layout, dev, System.out);
        List<DrillNode> started = new ArrayList<>();
        Runnable stopAll =
                () -> {
                    started.forEach(DrillNode::close);
                    started.clear();
                    stack.down();
                };
        Thread interrupted = new Thread(stopAll, "recovery-drill-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted);
        int exit = 1;
        try {
            System.out.println("Recovery drill data and logs: " + home);
            StackState state = stack.up();
            int adminPort = Ports.free();
            DevConfigs.write(layout, state, adminPort);
            if (options.workerAwayMs > 0) {
                letWorkersStayAway(DevConfigs.master(layout), options.workerAwayMs);
            }
            Path configs = layout.configDir();
            long t = System.nanoTime();
            DrillNode node =
                    DrillNode.onDevStack(
                            home,
                            new DrillNode.DevStack(
                                    state.ethereumEndpoint(),
                                    state.deployment(),
                                    state.storageApi(),
                                    state.kafkaBootstrapServers(),
                                    state.schemaRegistryUrl(),
                                    "http://127.0.0.1:" + adminPort,
                                    DevConfigs.master(layout),
                                    List.of(
                                            configs.resolve("worker.json"),
                                            configs.resolve("worker-2.json")),
                                    home.resolve("admin/emeth.db")));
            started.add(node);
            System.out.printf(
                    Locale.ROOT,
                    "Node up, both workers IDLE, in %.1f s%n",
                    (System.nanoTime() - t) / 1e9);
            exit = options.chaos ? chaos(node, options) : recovery(node, options) ? 0 : 1;
        } finally {
            Runtime.getRuntime().removeShutdownHook(interrupted);
            stopAll.run();
        }
        System.exit(exit);
    }

    /**
     * Gives workers {@code ms} before the master counts them as lost or stalled: the dev job needs
     * both workers, so with the defaults a worker that is killed and takes longer than 30 s to come
     * back (or 10 s in the middle of an epoch) has its job declined (see ChaosDrillIT).
     */
    private static void letWorkersStayAway(Path masterJson, long ms) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(masterJson.toFile());
        json.put("worker_heartbeat_timeout_ms", ms);
        json.putObject("timeout").put("learning", ms).put("wait_data", ms);
        ConfigWriter.write(
                masterJson, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    private static boolean recovery(DrillNode node, Options options) throws Exception {
        RecoveryScenarios scenarios = new RecoveryScenarios(node, System.out::println);
        RecoveryScenarios.Table table = scenarios.run(options.rounds);
        table.print(System.out);
        return table.complete();
    }

    private static int chaos(DrillNode node, Options options) throws Exception {
        ChaosRun.Result result =
                new ChaosRun(
                                node,
                                new ChaosRun.Settings(
                                        options.jobs,
                                        options.epochs,
                                        options.kills,
                                        Duration.ofSeconds(5),
                                        Duration.ofSeconds(15),
                                        Duration.ofMinutes(options.finishMinutes),
                                        options.seed),
                                line -> System.out.println("  " + line))
                        .run();
        System.out.println();
        System.out.println("Chaos drill: " + result.summary());
        System.out.printf("Load average: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
        return result.violations().isEmpty() && result.unfinished().isEmpty() ? 0 : 1;
    }
}
