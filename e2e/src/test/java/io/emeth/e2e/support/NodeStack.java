package io.emeth.e2e.support;

import io.emeth.admin.AdminOptions;
import io.emeth.admin.AdminRpc;
import io.emeth.chain.ChainServices;
import io.emeth.chain.gateway.ChainGateway;
import io.emeth.chain.indexer.Indexer;
import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.deploy.demo.DemoRequester;
import io.emeth.deploy.demo.DevVerifier;
import io.emeth.master.MasterApp;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.it.SimulatedPool;
import io.emeth.schemas.Topics;
import io.emeth.storage.dev.StorageDevServer;
import io.emeth.testkit.KafkaTestCluster;
import io.emeth.testkit.Ports;
import io.emeth.worker.WorkerAgent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole node in one JVM, on real parts: a fresh anvil with the contracts deployed and the dev
 * accounts funded (chain-indexer's {@link ChainFixture}), the JVM's shared KRaft broker and schema
 * registry with topics of the stack's own ({@link KafkaFixture}), a storage dev server, the indexer
 * and chain gateway of the dev master account ({@link ChainServices}), the master ({@link
 * MasterApp}), optionally admin-rpc and real workers. Configurable as the drills and the load
 * benchmark need: confirmations, block time or manual mining, the fee window, how many workers.
 *
 * <p>Once started the chain mines on its own every {@link Options#blockTime()} (anvil's interval
 * mining), so that confirmations accrue as on a real network; {@link #pauseMining()} hands the
 * blocks to the test, e.g. to set up a reorg. {@link ChainFixture#requestAll} leaves anvil in
 * automine mode when it is done: call {@link #resumeMining()} after it.
 */
public final class NodeStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeStack.class);

    /**
     * What to run.
     *
     * @param confirmations blocks a log must be buried under before the indexer emits it
     * @param blockTime how often the chain mines a block, whole seconds; null: only when the test
     *     mines ({@link ChainFixture#mine})
     * @param minFee the master's {@code min_fee}, wei
     * @param maxFee the master's {@code max_fee}, wei
     * @param workers real workers (DJL, the tiny model) to start; 0 for none
     * @param workerCapacity each real worker's {@code powerCapacity}
     * @param adminRpc whether admin-rpc runs (JSON-RPC, sink, node-info for the workers)
     */
    public record Options(
            int confirmations,
            Duration blockTime,
            BigInteger minFee,
            BigInteger maxFee,
            int workers,
            long workerCapacity,
            boolean adminRpc) {
        public Options {
            if (confirmations < 0) {
                throw new IllegalArgumentException("confirmations must be >= 0: " + confirmations);
            }
            if (blockTime != null
                    && (blockTime.toSeconds() < 1 || blockTime.toMillis() % 1_000 != 0)) {
                throw new IllegalArgumentException(
                        "blockTime must be whole seconds (anvil's interval mining): " + blockTime);
            }
            Objects.requireNonNull(minFee, "minFee");
            Objects.requireNonNull(maxFee, "maxFee");
            if (workers < 0 || workerCapacity < 1) {
                throw new IllegalArgumentException(
                        "workers must be >= 0 and workerCapacity >= 1: "
                                + workers
                                + ", "
                                + workerCapacity);
            }
        }

        /**
         * Two confirmations, a block a second, the default fee window (10 to 30 EMT), no workers
         * (each of 40 when started: two take a 1 MB job with a day's deadline), no admin-rpc.
         */
        public static Options defaults() {
            return new Options(
                    2, Duration.ofSeconds(1), EmethRules.emt(10), EmethRules.emt(30), 0, 40, false);
        }

        public Options withConfirmations(int value) {
            return new Options(value, blockTime, minFee, maxFee, workers, workerCapacity, adminRpc);
        }

        /** A block every {@code value}; null for manual mining. */
        public Options withBlockTime(Duration value) {
            return new Options(
                    confirmations, value, minFee, maxFee, workers, workerCapacity, adminRpc);
        }

        public Options withFeeWindow(BigInteger min, BigInteger max) {
            return new Options(
                    confirmations, blockTime, min, max, workers, workerCapacity, adminRpc);
        }

        public Options withWorkers(int count, long capacity) {
            return new Options(confirmations, blockTime, minFee, maxFee, count, capacity, adminRpc);
        }

        public Options withAdminRpc(boolean value) {
            return new Options(
                    confirmations, blockTime, minFee, maxFee, workers, workerCapacity, value);
        }
    }

    private final String name;
    private final Path dir;
    private final Options options;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<NodeIdentity> workerIdentities = new ArrayList<>();
    private final List<WorkerAgent> workers = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ChainFixture chain;
    private Topics topics;
    private StorageDevServer storage;
    private MasterStreamsConfig config;
    private ChainServices chainServices;
    private MasterApp master;
    private AdminRpc admin;

    private NodeStack(String name, Options options) throws Exception {
        this.name = KafkaTestCluster.uniqueName(name);
        this.options = options;
        this.dir = Files.createDirectories(Path.of("target", "it", this.name)).toAbsolutePath();
    }

    /** Starts every part, stopping what started when one fails. */
    public static NodeStack start(String name, Options options) throws Exception {
        NodeStack stack = new NodeStack(name, options);
        try {
            stack.startParts();
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startParts() throws Exception {
        chain = ChainFixture.start();
        closeables.add(chain);
        resumeMining();
        topics = KafkaFixture.topics(name);
        storage = StorageDevServer.start(dir.resolve("storage"), "127.0.0.1", 0);
        closeables.add(storage);
        int adminPort = Ports.free();
        config = NodeConfigs.master(name, dir, options, chain, topics, storage.url(), adminPort);
        chainServices =
                ChainServices.start(
                        Configs.withStorage(
                                Configs.indexer(
                                        chain, topics, options.confirmations(), 100, 0, name),
                                storage.url()),
                        Configs.gateway(chain, topics, Duration.ofSeconds(30)),
                        meters);
        closeables.add(chainServices);
        master = MasterApp.start(MasterApp.withChainRates(config));
        closeables.add(master);
        if (options.adminRpc()) {
            admin =
                    AdminRpc.start(
                            config.master(),
                            AdminOptions.defaults()
                                    .withBindHost("127.0.0.1")
                                    .withTopicPrefix(topics.prefix())
                                    .withSinkGroupId(name + "-sink"));
            closeables.add(admin);
        }
        for (int n = 0; n < options.workers(); n++) {
            startWorker(n);
        }
        log.info(
                "Node stack started [name:{}, pool:{}, anvil:{}, storage:{}, admin:{}, workers:{}]",
                name,
                pool(),
                chain.anvil.rpcUrl(),
                storage.url(),
                admin == null ? "off" : adminUrl(),
                workers.size());
    }

    /**
     * Starts real worker {@code n} with a key of its own; with admin-rpc it bootstraps from the
     * master's node-info, as in production.
     */
    private void startWorker(int n) throws Exception {
        NodeIdentity identity = NodeIdentity.generate();
        Optional<String> nodeInfo = admin == null ? Optional.empty() : Optional.of(adminUrl());
        WorkerAgent agent =
                WorkerAgent.start(
                        NodeConfigs.worker(
                                dir.resolve("worker-" + (n + 1)),
                                identity,
                                options.workerCapacity(),
                                nodeInfo,
                                pool()),
                        NodeConfigs.workerOptions(nodeInfo.isEmpty(), storage.url(), topics));
        closeables.add(agent);
        workerIdentities.add(identity);
        workers.add(agent);
    }

    /** Lets anvil mine a block every {@link Options#blockTime()} (nothing when it is null). */
    public void resumeMining() throws Exception {
        if (options.blockTime() != null) {
            chain.call("evm_setIntervalMining", List.of(options.blockTime().toSeconds()));
        } else {
            pauseMining();
        }
    }

    /** Stops anvil mining on its own: only {@link ChainFixture#mine} makes blocks until resumed. */
    public void pauseMining() throws Exception {
        chain.call("evm_setIntervalMining", List.of(0));
        chain.setAutomine(false);
    }

    /** Names of the parts that stopped (fenced, failed or closed); empty while all run. */
    public List<String> stoppedParts() throws InterruptedException {
        List<String> stopped = new ArrayList<>();
        chainServices
                .indexer()
                .filter(indexer -> indexer.state() != Indexer.State.RUNNING)
                .ifPresent(indexer -> stopped.add("indexer: " + indexer.state()));
        chainServices
                .gateway()
                .filter(gateway -> gateway.state() != ChainGateway.State.RUNNING)
                .ifPresent(gateway -> stopped.add("gateway: " + gateway.state()));
        if (!master.isRunning()) {
            stopped.add("master: " + master.state());
        }
        for (WorkerAgent w : workers) {
            if (w.awaitTermination(Duration.ZERO) || w.failure().isPresent()) {
                stopped.add("worker " + w.address() + ": " + w.failure().orElse(null));
            }
        }
        return stopped;
    }

    /**
     * Registers {@code count} simulated workers of {@code capacity} with this node's master
     * (master-streams' {@link SimulatedPool}: signed registrations, heartbeats, rounds trained in
     * no time); they stop with the stack.
     */
    public SimulatedPool simulateWorkers(int count, long capacity) {
        SimulatedPool simulated =
                new SimulatedPool(KafkaFixture.kafka().bootstrapServers(), topics, pool());
        closeables.add(simulated);
        simulated.start(count, capacity);
        return simulated;
    }

    /** The requester of the demo (dev account 4), uploading to this stack's storage. */
    public DemoRequester requester() {
        return new DemoRequester(
                chain.web3j, chain.deployment, chain.requester, URI.create(storage.url()));
    }

    /** The dev verifier (dev account 0) of this stack's contracts. */
    public DevVerifier verifier() throws Exception {
        return new DevVerifier(chain.web3j, chain.deployment, DevAccounts.verifier());
    }

    /** The pool: the master's account address. */
    public String pool() {
        return config.poolId();
    }

    public ChainFixture chain() {
        return chain;
    }

    public Topics topics() {
        return topics;
    }

    public StorageDevServer storage() {
        return storage;
    }

    public MasterStreamsConfig config() {
        return config;
    }

    public ChainServices chainServices() {
        return chainServices;
    }

    public MasterApp master() {
        return master;
    }

    /** The indexer's and gateway's meters (e.g. {@code emeth.indexer.head.block}). */
    public SimpleMeterRegistry meters() {
        return meters;
    }

    /** admin-rpc's base URL; only when it runs. */
    public String adminUrl() {
        if (admin == null) {
            throw new IllegalStateException("admin-rpc does not run in " + name);
        }
        return "http://127.0.0.1:" + admin.port();
    }

    public List<WorkerAgent> workers() {
        return List.copyOf(workers);
    }

    /** The real workers' keys, in start order. */
    public List<NodeIdentity> workerIdentities() {
        return List.copyOf(workerIdentities);
    }

    /** This stack's working directory (storage, master state, database, worker data). */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                log.warn("Stopping a part of {} failed: {}", name, e.toString());
            }
        }
        closeables.clear();
    }
}
