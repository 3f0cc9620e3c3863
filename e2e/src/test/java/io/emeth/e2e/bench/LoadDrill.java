package io.emeth.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.ConfigWriter;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.RepoRoot;
import io.emeth.deploy.demo.DemoRequester;
import io.emeth.deploy.dev.DevConfigs;
import io.emeth.deploy.dev.DevOptions;
import io.emeth.deploy.dev.LocalStack;
import io.emeth.deploy.dev.NodeProcesses;
import io.emeth.deploy.dev.StackLayout;
import io.emeth.deploy.dev.StackState;
import io.emeth.master.config.MasterStreamsConfigLoader;
import io.emeth.master.it.SimulatedWorld;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine;

/**
 * The load drill (issue #7 item 5), a benchmark and not a test: the dev stack on free ports under
 * {@code e2e/target/load-drill/}, the node's indexer (with the chain gateway) and master as child
 * JVMs exactly as {@code emeth dev} starts them, {@code load.workers} simulated workers that
 * register, heartbeat and finish each job the moment its round opens, and {@code load.jobs} jobs
 * requested on anvil at {@code load.rate} per second (0: all at once, pre-signed and sent without
 * waiting for receipts). Measures, per job, the time from its {@code Request} log to the node's
 * {@code process} transaction mined (both seen on the chain), then the CPU and memory of the master
 * and the indexer, and prints README rows.
 *
 * <p>Why the chain runs with {@code --block-time 1 --mixed-mining} and {@code poll_interval_ms}
 * 100: the gateway sends one transaction at a time and waits for its receipt before the next, and a
 * job costs three (approve, process, submit). With plain 1 s blocks that is at most one transaction
 * per block, at least 3 s per job, 100 min or more for 2,000 jobs. Mixed mining mines each
 * transaction at once and still makes a block every second, so that confirmations advance when the
 * chain is quiet; anvil then serves the receipt a few ms after the send, which the gateway sees at
 * its next receipt poll, hence the 100 ms poll (the default 1 s would cost ~1 s for one transaction
 * in three). Confirmations stay at the config's value. So set, the gateway's ceiling measured here
 * is ~3.8 jobs/s (all requested at once); the default rate, 2/s, stays below it so that the latency
 * is the pipeline's and not a queue's.
 *
 * <p>Since the gateway pipelines (issue #12: waves of up to {@code max_inflight_txs} in flight),
 * mixed mining is the drill's bottleneck in a burst: anvil mines one block per transaction, and
 * each block costs it a state snapshot (1.4 GB RSS and ~20–60 blocks/s on the 2-core box), so 1,500
 * transactions queue in anvil whatever the node does. {@code -Dload.mixedMining=false} runs plain 1
 * s blocks (as a real chain: every pending transaction of the gateway goes into the next block, up
 * to the 30M gas limit, ~95 {@code request}s), and {@code -Dload.maxInflight=N} sets the gateway's
 * {@code max_inflight_txs} (and {@code allowance_deposits} to at least N): with 1 s blocks that
 * many transactions per block at most.
 *
 * <p>Run: {@code mvn -o -q -pl e2e test-compile exec:exec@load-drill -Dload.workers=200
 * -Dload.jobs=2000 [-Dload.rate=2 -Dload.pollMs=100 -Dload.mixedMining=false
 * -Dload.maxInflight=256]}. It stops everything it started, also on failure or Ctrl-C.
 */
public final class LoadDrill {
    /** Power capacity of each simulated worker: one worker covers a job's R ≈ 58. */
    static final long CAPACITY = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The drill's size: simulated workers, jobs, requests per second (0: all at once), the node's
     * {@code poll_interval_ms} (indexer head polling and gateway receipt polling), and how long a
     * wait may see no progress.
     */
    record Settings(
            int workers,
            int jobs,
            double rate,
            long pollMs,
            Duration stall,
            boolean mixedMining,
            int maxInflightTxs) {
        static Settings fromSystemProperties() {
            return new Settings(
                    Integer.getInteger("load.workers", 200),
                    Integer.getInteger("load.jobs", 2_000),
                    Double.parseDouble(System.getProperty("load.rate", "2")),
                    Long.getLong("load.pollMs", 100),
                    Duration.ofMinutes(Integer.getInteger("load.stallMinutes", 5)),
                    Boolean.parseBoolean(System.getProperty("load.mixedMining", "true")),
                    Integer.getInteger("load.maxInflight", 0));
        }
    }

    private final Settings settings;
    private final StackLayout layout;
    private final LocalStack stack;
    private final NodeProcesses node;
    private final Progress progress;
    private final String run = Long.toString(System.currentTimeMillis());

    private LoadDrill(Settings settings, StackLayout layout, LocalStack stack) {
        this.settings = settings;
        this.layout = layout;
        this.stack = stack;
        this.node = new NodeProcesses(layout);
        this.progress = new Progress(node, settings.stall());
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromSystemProperties();
        Path home =
                Files.createDirectories(
                        Path.of("target", "load-drill", "run-" + System.currentTimeMillis()));
        StackLayout layout = new StackLayout(RepoRoot.locate(), home.toAbsolutePath());
        List<String> devArgs =
                new java.util.ArrayList<>(
                        List.of(
                                "--kafka-port=" + Ports.free(),
                                "--kafka-controller-port=" + Ports.free(),
                                "--registry-port=" + Ports.free(),
                                "--storage-port=" + Ports.free(),
                                "--anvil-port=" + Ports.free(),
                                "--block-time=1"));
        if (settings.mixedMining()) {
            devArgs.add("--mixed-mining");
        }
        DevOptions options =
                CommandLine.populateCommand(new DevOptions(), devArgs.toArray(String[]::new));
        LoadDrill drill =
                new LoadDrill(settings, layout, new LocalStack(layout, options, System.out));
        Thread interrupted = new Thread(drill::stopAll, "load-drill-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted);
        int exit = 1;
        try {
            System.out.println("Load drill data and logs: " + layout.home());
            exit = drill.run() ? 0 : 1;
        } catch (Progress.Stalled e) {
            System.err.println("Load drill stalled: " + e.getMessage());
        } finally {
            Runtime.getRuntime().removeShutdownHook(interrupted);
            drill.stopAll();
        }
        System.exit(exit);
    }

    /** The whole drill; true when every job was processed. */
    private boolean run() throws Exception {
        StackState state = stack.up();
        DevConfigs.write(layout, state, Ports.free());
        Path masterJson = DevConfigs.master(layout);
        setPollInterval(masterJson, settings.pollMs());
        if (settings.maxInflightTxs() > 0) {
            setMaxInflight(masterJson, settings.maxInflightTxs());
        }
        String pool = MasterStreamsConfigLoader.load(masterJson).poolId();
        Web3j web3j = Web3j.build(new HttpService(state.ethereumEndpoint()));
        try {
            LoadRequester requester =
                    new LoadRequester(
                            web3j,
                            state.deployment(),
                            new DemoRequester(
                                    web3j,
                                    state.deployment(),
                                    DevAccounts.requester(),
                                    URI.create(state.storageApi())));
            requester.fund(settings.jobs(), pool);
            long t = System.nanoTime();
            List<LoadRequester.Job> jobs = requester.prepare(settings.jobs(), run);
            System.out.printf(
                    "Uploaded %d data sets of %d bytes in %.1f s%n",
                    jobs.size(), LoadRequester.DATASET_BYTES, (System.nanoTime() - t) / 1e9);
            List<ProcessMeter> meters = startNode();
            try (SimulatedWorld world = startWorkers(state, pool);
                    ChainWatch watch =
                            new ChainWatch(
                                    web3j,
                                    state.emethContractAddress(),
                                    pool,
                                    web3j.ethBlockNumber().send().getBlockNumber().longValueExact()
                                            + 1)) {
                LoadReport report =
                        new LoadReport(
                                settings,
                                ConfigLoader.master(masterJson),
                                Runtime.getRuntime().availableProcessors());
                try {
                    load(requester, jobs, watch, meters, report);
                } catch (Progress.Stalled e) {
                    explainMissing(world, watch);
                    throw e;
                }
                report.print(System.out);
                report.writeCsv(layout.home().resolve("latencies.csv"));
                return report.complete();
            }
        } finally {
            web3j.shutdown();
        }
    }

    /** The indexer (with the gateway) and the master; meters for them, anvil and Kafka. */
    private List<ProcessMeter> startNode() {
        node.start(NodeProcesses.INDEXER);
        node.start(NodeProcesses.MASTER);
        // anvil and the broker share the machine; their cost is shown apart from the node's
        return List.of(
                meter(NodeProcesses.MASTER, node.process(NodeProcesses.MASTER)),
                meter(NodeProcesses.INDEXER, node.process(NodeProcesses.INDEXER)),
                meter(LocalStack.ANVIL, stack.process(LocalStack.ANVIL)),
                meter(LocalStack.KAFKA, stack.process(LocalStack.KAFKA)));
    }

    private SimulatedWorld startWorkers(StackState state, String pool) throws Exception {
        SimulatedWorld world =
                SimulatedWorld.workersOnly(
                        state.kafkaBootstrapServers(),
                        Topics.create(SerdeConfig.of(state.schemaRegistryUrl())),
                        pool);
        world.start(settings.workers(), CAPACITY);
        progress.await(
                "all " + settings.workers() + " workers idle in the master's view",
                () -> (int) world.idleWorkers(),
                settings.workers());
        System.out.printf("%d simulated workers registered and idle%n", settings.workers());
        return world;
    }

    /** The measured part: requests at the set rate, until every job is processed and submitted. */
    private void load(
            LoadRequester requester,
            List<LoadRequester.Job> jobs,
            ChainWatch watch,
            List<ProcessMeter> meters,
            LoadReport report)
            throws Exception {
        for (ProcessMeter meter : meters) {
            meter.startWindow();
        }
        report.loadAtStart = loadAverage();
        report.startMs = System.currentTimeMillis();
        sendPaced(requester, jobs);
        report.sentMs = System.currentTimeMillis();
        System.out.printf(
                "Requested %d jobs in %.1f s%n",
                jobs.size(), (report.sentMs - report.startMs) / 1000.0);
        progress.await("every job's `process` mined", watch.processing::size, jobs.size());
        progress.await(
                "every job's `submit` mined (the workers finished)",
                watch.submitted::size,
                jobs.size());
        report.endMs = System.currentTimeMillis();
        report.loadAtEnd = loadAverage();
        report.measure(jobs, watch, meters);
    }

    /** Sends the requests at the set rate per second (all at once when 0). */
    private void sendPaced(LoadRequester requester, List<LoadRequester.Job> jobs) throws Exception {
        if (settings.rate() <= 0) {
            requester.requestAll(jobs, System.currentTimeMillis() / 1000); // a real burst
            return;
        }
        long start = System.nanoTime();
        for (int i = 0; i < jobs.size(); i++) {
            if (settings.rate() > 0) {
                long wait = start + (long) (i * 1e9 / settings.rate()) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the load, not waiting on a result
                }
            }
            requester.request(jobs.get(i), System.currentTimeMillis() / 1000);
        }
    }

    /** Prints, for a few jobs that never reached PROCESSING, what the master says of them. */
    private static void explainMissing(SimulatedWorld world, ChainWatch watch) {
        watch.requested.keySet().stream()
                .filter(job -> !watch.processing.containsKey(job))
                .limit(5)
                .forEach(
                        job -> {
                            JobView view = world.job(job);
                            System.err.printf(
                                    "  job %s: %s%n",
                                    job,
                                    view == null
                                            ? "no job-status view from the master"
                                            : view.getState()
                                                    + " / chain "
                                                    + view.getChainStatus()
                                                    + " / "
                                                    + view.getLastError());
                        });
    }

    /**
     * Sets {@code poll_interval_ms} in the master's config. The gateway polls each receipt at this
     * interval, and anvil serves a receipt a few ms after the transaction is sent, so with the
     * default 1 s the gateway would wait ~1 s for one transaction in three.
     */
    private static void setPollInterval(Path masterJson, long pollMs) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(masterJson.toFile());
        json.put("poll_interval_ms", pollMs);
        ConfigWriter.write(
                masterJson, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /**
     * Sets {@code max_inflight_txs} (and {@code allowance_deposits} to the same, so that a full
     * wave needs at most one top-up) in the master's config: with 1 s blocks and no mixed mining at
     * most that many of the gateway's transactions go into one block.
     */
    private static void setMaxInflight(Path masterJson, int maxInflight) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(masterJson.toFile());
        json.put("max_inflight_txs", maxInflight);
        json.put("allowance_deposits", Math.max(maxInflight, 20));
        ConfigWriter.write(
                masterJson, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    private static ProcessMeter meter(String component, Optional<ProcessHandle> process) {
        return new ProcessMeter(
                component,
                process.orElseThrow(() -> new IllegalStateException(component + " is not running")),
                !component.equals(LocalStack.ANVIL));
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private void stopAll() {
        List<String> stopped = node.stopAll();
        stopped.addAll(stack.down());
        if (!stopped.isEmpty()) {
            System.out.println("Stopped " + String.join(", ", stopped));
        }
    }
}
