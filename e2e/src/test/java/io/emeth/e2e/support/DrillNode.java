package io.emeth.e2e.support;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChildJvm;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.storage.dev.StorageDevServer;
import io.emeth.testkit.KafkaTestCluster;
import io.emeth.testkit.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * A whole node for a drill, every part real: the JVM's shared Kafka cluster with the pipeline's
 * topics under a prefix of the drill's own, the schema registry, the storage dev server, anvil with
 * the contracts deployed and the dev accounts funded (blocks mined by a {@link BlockMiner}), and
 * the node's processes as an operator runs them, each a JVM of its own: admin-rpc (JSON-RPC,
 * node-info, the JDBC sink on SQLite), the indexer and the chain gateway apart ({@code emeth
 * indexer --role}), the master, and two workers that train data-parallel. {@link #start} returns
 * once both workers are IDLE in the master's view.
 */
public final class DrillNode implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final List<String> MASTER_JVM =
            List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final List<String> WORKER_JVM =
            List.of("-Xmx512m", "-XX:+UseSerialGC", "-Dai.djl.offline=true");

    public final Path dir;
    public final Topics topics;
    public final ChainFixture chain;
    public final BlockMiner miner;
    public final StorageDevServer storage;
    public final TopicRecorder recorder;
    public final Path sqlitePath;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<NodeProcess> processes = new ArrayList<>();
    private NodeProcess adminRpc;
    private NodeProcess indexer;
    private NodeProcess gateway;
    private NodeProcess master;
    private final List<NodeProcess> workers = new ArrayList<>();

    private DrillNode(String name) throws Exception {
        try {
            this.dir = Files.createDirectories(Path.of("target", "e2e", name)).toAbsolutePath();
            KafkaTestCluster kafka = KafkaTestCluster.shared();
            this.topics = KafkaFixture.topics(name);
            this.chain = ChainFixture.start();
            closeables.add(chain);
            this.miner = BlockMiner.start(chain, Duration.ofSeconds(1));
            closeables.add(miner);
            this.storage = StorageDevServer.start(dir.resolve("storage"), "127.0.0.1", 0);
            closeables.add(storage);
            this.recorder = TopicRecorder.start(kafka.bootstrapServers(), topics.all());
            closeables.add(recorder);
            ProcessConfigs.Endpoints at =
                    new ProcessConfigs.Endpoints(
                            chain.anvil.rpcUrl(),
                            chain.deployment,
                            storage.url(),
                            kafka.bootstrapServers(),
                            KafkaFixture.registryUrl(),
                            topics.prefix(),
                            Ports.free());
            this.sqlitePath = ProcessConfigs.sqlitePath(dir);
            startNode(at, ProcessConfigs.writeMaster(dir, at, "emeth-master-" + name).toString());
        } catch (Exception | Error e) {
            IllegalStateException failed =
                    new IllegalStateException(
                            "the drill's node did not start: "
                                    + e.getMessage()
                                    + LogTails.of(processes),
                            e);
            close();
            throw failed;
        }
    }

    /** Starts the stack and the node; on failure stops what started, naming why. */
    public static DrillNode start(String testName) throws Exception {
        return new DrillNode(KafkaTestCluster.uniqueName(testName));
    }

    private void startNode(ProcessConfigs.Endpoints at, String masterJson) throws IOException {
        Path logs = dir.resolve("logs");
        List<String> config = List.of("--config", masterJson);
        adminRpc = process("admin-rpc", logs, ChildJvm.SMALL_JVM, Map.of(), "admin-rpc", config);
        indexer =
                process(
                        "indexer",
                        logs,
                        ChildJvm.SMALL_JVM,
                        Map.of(),
                        "indexer",
                        List.of("--config", masterJson, "--role", "indexer"));
        gateway =
                process(
                        "gateway",
                        logs,
                        ChildJvm.SMALL_JVM,
                        Map.of(),
                        "indexer",
                        List.of("--config", masterJson, "--role", "gateway"));
        master = process("master", logs, MASTER_JVM, Map.of(), "master", config);
        // all at once, as an operator's service manager does: workers wait for node-info
        for (int n = 1; n <= 2; n++) {
            String workerJson = ProcessConfigs.writeWorker(dir, at, n).toString();
            workers.add(
                    process(
                            "worker-" + n,
                            logs,
                            WORKER_JVM,
                            workerEnv(),
                            "worker",
                            List.of("--config", workerJson)));
        }
        for (int n = 1; n <= 2; n++) {
            String address = workerAddress(n);
            await("worker-" + n + " (" + address + ") IDLE in the master's view")
                    .until(
                            () ->
                                    recorder.seen(
                                            topics.workerStatus(),
                                            v ->
                                                    v.getWorker().equalsIgnoreCase(address)
                                                            && v.getState() == WorkerState.IDLE));
        }
    }

    private NodeProcess process(
            String name,
            Path logs,
            List<String> jvm,
            Map<String, String> env,
            String command,
            List<String> options) {
        List<String> args = new ArrayList<>();
        args.add(command);
        args.addAll(options);
        NodeProcess p = NodeProcess.start(name, logs, jvm, env, args);
        processes.add(p);
        closeables.add(p);
        return p;
    }

    /** libtorch offline, from the shared cache, with OpenMP threads that sleep instead of spin. */
    private static Map<String, String> workerEnv() {
        String cache = System.getenv("DJL_CACHE_DIR");
        if (cache == null || cache.isBlank()) {
            cache = Path.of(System.getProperty("user.home"), ".djl.ai").toString();
        }
        return Map.of("OMP_WAIT_POLICY", "PASSIVE", "DJL_CACHE_DIR", cache);
    }

    /** An await that gives up at once when a process of the node died. */
    public ConditionFactory await(String what) {
        return Awaitility.await(what)
                .atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .failFast(
                        "a process of the node died",
                        () -> {
                            List<String> dead = dead();
                            if (!dead.isEmpty()) {
                                throw new AssertionError("node processes not running: " + dead);
                            }
                        });
    }

    /** The names of the node's processes that are not running. */
    public List<String> dead() {
        return processes.stream().filter(p -> !p.isAlive()).map(NodeProcess::name).toList();
    }

    /** The checksummed address of dev worker {@code n} (1 or 2). */
    public static String workerAddress(int n) {
        return DevAccounts.get(1 + n).address();
    }

    /** The number (1 or 2) of the dev worker with {@code address}. */
    public int workerNumber(String address) {
        for (int n = 1; n <= workers.size(); n++) {
            if (workerAddress(n).equalsIgnoreCase(address)) {
                return n;
            }
        }
        throw new AssertionError(address + " is not a worker of the drill's node");
    }

    public NodeProcess adminRpc() {
        return adminRpc;
    }

    public NodeProcess indexer() {
        return indexer;
    }

    public NodeProcess gateway() {
        return gateway;
    }

    public NodeProcess master() {
        return master;
    }

    /** Dev worker {@code n}'s process (1 or 2). */
    public NodeProcess worker(int n) {
        return workers.get(n - 1);
    }

    /** Every process of the node, in start order. */
    public List<NodeProcess> processes() {
        return Collections.unmodifiableList(processes);
    }

    /** Stops everything, the node's processes first; failures to stop are reported together. */
    @Override
    public void close() {
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        IllegalStateException failed = null;
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                if (failed == null) {
                    failed = new IllegalStateException("could not stop the drill's node", e);
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
