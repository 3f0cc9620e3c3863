package io.emeth.e2e.support;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChildJvm;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.deploy.dev.ClassDataSharing;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.storage.dev.StorageDevServer;
import io.emeth.testkit.KafkaTestCluster;
import io.emeth.testkit.Ports;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * A whole node for a drill, every part real: the JVM's shared Kafka cluster with the pipeline's
 * topics under a prefix of the drill's own, the schema registry, the storage dev server, anvil with
 * the contracts deployed and the dev accounts funded (blocks mined by a {@link BlockMiner}), and
 * the node's processes as an operator runs them, each a JVM of its own: admin-rpc (JSON-RPC,
 * node-info, the JDBC sink on SQLite), the indexer and the chain gateway apart ({@code emeth
 * indexer --role}), the master, and two workers that train data-parallel. {@link #start} returns
 * once both workers are IDLE in the master's view. {@link #onDevStack} runs the same processes on a
 * running {@code emeth dev} stack instead, with the configs {@code dev up} writes (the recovery
 * drill's benchmark mode).
 */
public final class DrillNode implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final List<String> MASTER_JVM =
            List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final List<String> WORKER_JVM =
            List.of("-Xmx512m", "-XX:+UseSerialGC", "-Dai.djl.offline=true");

    public final Path dir;
    public final Topics topics;

    /** The in-JVM chain (null on the dev stack, whose anvil mines every second on its own). */
    public final ChainFixture chain;

    /** Mines the in-JVM chain (null on the dev stack). */
    public final BlockMiner miner;

    /** The in-JVM storage dev server (null on the dev stack). */
    public final StorageDevServer storage;

    public final TopicRecorder recorder;
    public final Path sqlitePath;
    private final Web3j web3j;
    private final DevChain.Deployment deployment;
    private final String storageUrl;
    private final String adminUrl;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<NodeProcess> processes = new ArrayList<>();
    private NodeProcess adminRpc;
    private NodeProcess indexer;
    private NodeProcess gateway;
    private NodeProcess master;
    private final List<NodeProcess> workers = new ArrayList<>();

    /**
     * Where the node's class-data archives live across runs (the recovery drill), or null (ITs: no
     * archive, the processes start as they always did).
     */
    private Path classData;

    private DrillNode(String name, Consumer<ObjectNode> masterTweaks) throws Exception {
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
            this.web3j = chain.web3j;
            this.deployment = chain.deployment;
            this.storageUrl = storage.url();
            this.adminUrl = at.adminUrl();
            this.sqlitePath = ProcessConfigs.sqlitePath(dir);
            Path masterJson =
                    ProcessConfigs.writeMaster(dir, at, "emeth-master-" + name, masterTweaks);
            List<Path> workerJsons = new ArrayList<>();
            for (int n = 1; n <= 2; n++) {
                workerJsons.add(ProcessConfigs.writeWorker(dir, at, n));
            }
            startNode(masterJson.toString(), workerJsons);
        } catch (Exception | Error e) {
            throw failed(e);
        }
    }

    /**
     * The node on a running {@code emeth dev} stack (see {@link #onDevStack}), configured by the
     * stack's own {@code master.json}, {@code worker.json} and {@code worker-2.json}.
     */
    private DrillNode(Path home, DevStack stack) throws Exception {
        try {
            this.dir = home;
            this.topics = Topics.create(SerdeConfig.of(stack.registryUrl()));
            this.chain = null;
            this.miner = null;
            this.storage = null;
            this.web3j = Web3j.build(new HttpService(stack.ethereum()));
            closeables.add(web3j::shutdown);
            this.deployment = stack.deployment();
            this.storageUrl = stack.storageApi();
            this.adminUrl = stack.adminUrl();
            this.sqlitePath = stack.sqlitePath();
            // beside the runs' folders, so that a run maps the classes the previous one archived
            this.classData = home.getParent().resolve("class-data");
            this.recorder = TopicRecorder.start(stack.kafkaBootstrapServers(), topics.all());
            closeables.add(recorder);
            startNode(stack.masterJson().toString(), stack.workerJsons());
        } catch (Exception | Error e) {
            throw failed(e);
        }
    }

    /** Where the dev stack runs and where its configs are. */
    public record DevStack(
            String ethereum,
            DevChain.Deployment deployment,
            String storageApi,
            String kafkaBootstrapServers,
            String registryUrl,
            String adminUrl,
            Path masterJson,
            List<Path> workerJsons,
            Path sqlitePath) {}

    private IllegalStateException failed(Throwable e) {
        IllegalStateException failed =
                new IllegalStateException(
                        "the drill's node did not start: "
                                + e.getMessage()
                                + LogTails.of(processes),
                        e);
        close();
        return failed;
    }

    /** Starts the stack and the node; on failure stops what started, naming why. */
    public static DrillNode start(String testName) throws Exception {
        return start(testName, o -> {});
    }

    /** As {@link #start(String)}, with the drill's own changes to {@code master.json}. */
    public static DrillNode start(String testName, Consumer<ObjectNode> masterTweaks)
            throws Exception {
        return new DrillNode(KafkaTestCluster.uniqueName(testName), masterTweaks);
    }

    /**
     * Starts the node's processes on a running dev stack, logs under {@code home/logs}; returns
     * once both workers are IDLE. Closing it stops the node's processes, not the stack.
     */
    public static DrillNode onDevStack(Path home, DevStack stack) throws Exception {
        return new DrillNode(home, stack);
    }

    private void startNode(String masterJson, List<Path> workerJsons) throws IOException {
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
        for (int n = 1; n <= workerJsons.size(); n++) {
            String workerJson = workerJsons.get(n - 1).toString();
            workers.add(
                    process(
                            "worker-" + n,
                            logs,
                            WORKER_JVM,
                            workerEnv(),
                            "worker",
                            List.of("--config", workerJson)));
        }
        for (int n = 1; n <= workers.size(); n++) {
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
        NodeProcess p;
        if (classData == null) {
            p = NodeProcess.start(name, logs, jvm, env, args);
        } else {
            String classpath = nodeClasspath();
            List<String> options2 = new ArrayList<>(jvm);
            options2.addAll(ClassDataSharing.options(classData, name, classpath));
            p = NodeProcess.start(name, logs, options2, classpath, env, args);
        }
        processes.add(p);
        closeables.add(p);
        return p;
    }

    /**
     * This JVM's class path without the e2e module's own class folders: the node runs {@code emeth}
     * from the jars alone, and the JDK archives classes from jars only.
     */
    private static String nodeClasspath() {
        Path classes = Path.of("target", "classes").toAbsolutePath();
        Path testClasses = Path.of("target", "test-classes").toAbsolutePath();
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            if (!path.equals(classes) && !path.equals(testClasses)) {
                kept.add(entry);
            }
        }
        return String.join(File.pathSeparator, kept);
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

    public Web3j web3j() {
        return web3j;
    }

    public DevChain.Deployment deployment() {
        return deployment;
    }

    public String storageUrl() {
        return storageUrl;
    }

    /** admin-rpc's base URL (JSON-RPC at {@code /api/json-rpc}). */
    public String adminUrl() {
        return adminUrl;
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
        if (classData != null) {
            // a normal stop, so that each process writes its class-data archive for the next run
            List<Thread> stops = new ArrayList<>();
            for (NodeProcess p : processes) {
                Thread stop = new Thread(() -> p.stop(Duration.ofMinutes(3)), "stop-" + p.name());
                stop.start();
                stops.add(stop);
            }
            for (Thread stop : stops) {
                try {
                    stop.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
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
