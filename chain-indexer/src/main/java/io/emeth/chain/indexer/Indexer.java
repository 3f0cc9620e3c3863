package io.emeth.chain.indexer;

import io.emeth.chain.ChainKafka;
import io.emeth.chain.ServiceThread;
import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.storage.StorageClient;
import io.emeth.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code emeth indexer} service: turns the EmethCore contract's logs into the chain topics,
 * exactly once and in chain order, on its own thread until {@link #close()}.
 *
 * <p>Consumes the chain through {@link IndexerConfig#endpoint()} ({@code newHeads} over ws, polling
 * over http) and the storage API for data set sizes; produces {@code chain-job-events}, {@code
 * chain-node-events}, {@code chain-alerts} and its checkpoint on {@code indexer-checkpoints}, one
 * Kafka transaction per batch. It resumes from the checkpoint; started twice with one {@link
 * IndexerConfig#indexerId()}, the older instance is fenced and stops.
 */
public final class Indexer implements AutoCloseable {
    /** Where an indexer is in its life. */
    public enum State {
        RUNNING,
        /** Another instance with the same id took over; this one stopped writing. */
        FENCED,
        STOPPED
    }

    private static final Logger log = LoggerFactory.getLogger(Indexer.class);

    private final IndexerConfig config;
    private final Topics topics;
    private final EthEndpoint endpoint;
    private final DatasetSizes sizes;
    private final IndexerMetrics metrics;
    private final Semaphore wakeups = new Semaphore(0);
    private final ExecutorService rpcPool =
            Executors.newFixedThreadPool(
                    ChainReader.PARALLEL,
                    r -> {
                        Thread t = new Thread(r, "emeth-indexer-rpc");
                        t.setDaemon(true);
                        return t;
                    });

    /** Prepares the next backfill chunks while the indexer thread commits the current one. */
    private final ExecutorService prefetchPool =
            Executors.newFixedThreadPool(
                    BatchEmitter.PREFETCH_DEPTH,
                    r -> {
                        Thread t = new Thread(r, "emeth-indexer-prefetch");
                        t.setDaemon(true);
                        return t;
                    });

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile State state = State.RUNNING;
    private IdentityLease lease;
    private IndexerSink sink;
    private ChainFollower follower;

    private Indexer(IndexerConfig config, Topics topics, MeterRegistry registry)
            throws IOException {
        this.config = config;
        this.topics = topics;
        this.endpoint =
                EthEndpoint.connect(config.endpoint(), config.pollInterval(), config.rpcTimeout());
        this.sizes =
                config.storageApi()
                        // sizeOf is unsigned; the client wants an identity for its other calls
                        .map(
                                api ->
                                        DatasetSizes.from(
                                                StorageClient.builder(api, NodeIdentity.generate())
                                                        .build()))
                        .orElseGet(DatasetSizes::none);
        this.metrics = new IndexerMetrics(registry, config.contractAddress());
        this.thread = new Thread(this::loop, "emeth-indexer");
    }

    /**
     * Checks that the topics exist, connects to the chain and starts indexing on a new thread.
     *
     * @throws IllegalStateException naming missing topics or an unreachable Kafka
     * @throws IOException when a ws endpoint refuses the connection
     */
    public static Indexer start(IndexerConfig config, MeterRegistry registry)
            throws IOException, InterruptedException {
        Topics topics = Topics.create(config.serdeConfig(), config.topicPrefix());
        ChainKafka.requireTopics(
                config.kafkaProperties(),
                List.of(
                        topics.chainJobEvents().name(), topics.chainNodeEvents().name(),
                        topics.chainAlerts().name(), topics.indexerCheckpoints().name()));
        Indexer indexer = new Indexer(config, topics, registry);
        indexer.endpoint.onNewHeads(indexer.wakeups::release);
        indexer.thread.start();
        log.info(
                "Indexer started [contract:{}, endpoint:{}, confirmations:{}, id:{}]",
                config.contractAddress(),
                indexer.endpoint.redacted(),
                config.confirmations(),
                config.indexerId());
        return indexer;
    }

    public State state() {
        return state;
    }

    /** The last block whose logs are all on the topics, -1 before the first checkpoint. */
    public long confirmedBlock() {
        return metrics.confirmed();
    }

    /** Waits until the indexer stopped (closed or fenced); true if it did within the timeout. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        running = false;
        wakeups.release();
        ServiceThread.awaitStop(thread, stopped);
        endpoint.close();
        sizes.close();
        rpcPool.shutdownNow();
        prefetchPool.shutdownNow();
        log.info(
                "Indexer stopped [contract:{}, confirmedBlock:{}, state:{}]",
                config.contractAddress(),
                metrics.confirmed(),
                state);
    }

    private void loop() {
        int failures = 0;
        try {
            while (running) {
                try {
                    if (follower == null) {
                        openSink();
                    }
                    lease.keepAlive();
                    boolean busy = follower.step();
                    failures = 0;
                    if (!busy) {
                        awaitHead(config.pollInterval());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (IOException | RuntimeException e) {
                    if (e instanceof IndexerSink.FencedException || ChainKafka.isFence(e)) {
                        // final: initialising the id again would fence the instance that took over
                        log.error(
                                "Indexer fenced, stopping [id:{}]: {}",
                                config.indexerId(),
                                e.toString());
                        state = State.FENCED;
                        return;
                    }
                    failures++;
                    metrics.cycleError();
                    if (!(e instanceof IOException)) {
                        // a Kafka failure may leave a transaction open: start again from the
                        // committed checkpoint (JSON-RPC failures happen before any write)
                        closeSink();
                    }
                    if (running) {
                        Duration backoff = ServiceThread.backoff(config.pollInterval(), failures);
                        log.warn(
                                "Indexing step failed, retrying [attempt:{}, inMs:{}, error:{}]",
                                failures,
                                backoff.toMillis(),
                                e.toString());
                        reconnectIfWebSocket();
                        awaitHead(backoff);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeSink();
            if (lease != null) {
                try {
                    lease.close();
                } catch (RuntimeException e) {
                    log.debug("Closing the indexer's lease failed", e);
                }
            }
            if (state == State.RUNNING) {
                state = State.STOPPED;
            }
            stopped.countDown();
        }
    }

    private void openSink() {
        // never initialise the transactional id again once another instance holds the identity
        if (lease == null) {
            lease =
                    IdentityLease.acquire(
                            config.kafkaProperties(),
                            config.indexerId(),
                            topics.indexerCheckpoints().name());
        }
        lease.verify();
        sink =
                IndexerSink.open(
                        config.kafkaProperties(),
                        config.indexerId(),
                        topics,
                        config.contractAddress());
        Optional<IndexerSink.Stored> stored = sink.readCheckpoint();
        BlockRef tip =
                stored.map(IndexerSink.Stored::tip)
                        .map(
                                t ->
                                        t.hash() == null || t.hash().isEmpty()
                                                ? new BlockRef(t.number(), null)
                                                : t)
                        .orElse(BlockRef.before(config.startBlock()));
        List<RecordedBlock> recent = stored.map(IndexerSink.Stored::recent).orElse(List.of());
        ChainWindow window = new ChainWindow(tip, recent, config.reorgWindow());
        metrics.confirmed(tip.number());
        follower =
                new ChainFollower(
                        new ChainReader(endpoint, config.contractAddress(), rpcPool),
                        window,
                        new RangeSizer(config.maxBlockRange()),
                        config.confirmations(),
                        new EventFactory(config.contractAddress(), Clock.systemUTC()),
                        sizes,
                        sink,
                        metrics,
                        prefetchPool,
                        BackfillChunks.DEFAULT_MAX_EVENTS);
        log.info(
                "Indexer resumes [fromBlock:{}, checkpointHash:{}, recentHashes:{}]",
                tip.number() + 1,
                tip.hash(),
                recent.size());
    }

    private void closeSink() {
        follower = null;
        if (sink != null) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                log.debug("Closing the indexer's producer failed", e);
            }
            sink = null;
        }
    }

    private void reconnectIfWebSocket() {
        try {
            endpoint.reconnect();
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "Reconnecting to the Ethereum endpoint failed [endpoint:{}, error:{}]",
                    endpoint.redacted(),
                    e.toString());
        }
    }

    private void awaitHead(Duration timeout) throws InterruptedException {
        if (wakeups.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            wakeups.drainPermits();
        }
    }
}
