package io.emeth.master;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.Membership;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code emeth master}: starts and stops the master's Kafka Streams application ({@code
 * exactly_once_v2}, persistent changelogged stores). Instances started with the same {@code
 * application_id} share the partitions; when one dies, its pools and jobs continue on the others
 * from the changelogs.
 *
 * <p>Each instance is a static member of the group ({@code group.instance.id} = {@code
 * instance_id}, see {@link Membership}): a restarted instance replaces its own dead member and
 * takes its tasks back at once instead of waiting out the dead member's session. An instance whose
 * id another live instance took over (the broker fences the older one) stops with an error naming
 * the id, instead of fencing the other in turn; two instances on one {@code state_dir} are refused
 * at start ({@link StateDirLock}).
 *
 * <p>Usage: {@code MasterApp.start(MasterStreamsConfigLoader.load(path))}, then {@link
 * #awaitShutdown()} or {@link #close()}.
 */
public final class MasterApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MasterApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Settings for the latency of a hop (a record written inside one transaction becomes readable
     * downstream when it commits), each overridable through {@code kafka_properties}: a commit
     * every 30 ms instead of Streams' exactly-once 100 ms, because a job crosses two such hops and
     * the second waits for the commit after the one that made its input readable (with a warm
     * master at 1,000 jobs/s, {@code MatchingBench}: p99 102–112 ms with 30, 250 with 100, and no
     * fewer matches per second in a burst; 20 ms did worse than 30, its commits crowding the
     * thread); the producer sends what it has after 5 ms instead of Streams' 100 ms, so a commit
     * finds its records already sent rather than waiting for them; and it retries after 10 ms
     * instead of 100 ms when the broker answers CONCURRENT_TRANSACTIONS, which it does to the first
     * records of a transaction sent while the previous commit is still being written (157 such
     * retries logged in one 3-minute benchmark run). Public for the benchmarks that measure Kafka
     * under the master's own settings.
     */
    public static final Map<String, Object> LATENCY_DEFAULTS =
            Map.of(
                    StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                    30,
                    StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                    5,
                    StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG),
                    10);

    /**
     * The record cache of the master's stores (Streams' default is 10 MiB). The cache folds a job
     * written several times between two commits into one changelog record; a commit every 30 ms
     * flushes it long before 1 MiB fills, so the changelog records per match were the same with 1
     * MiB as with 10 (2.82 / 2.87 per match), while the clean entries the default leaves in memory
     * held the live heap at 67–70 MiB after 80,000 jobs on 10,000 workers, 49 MiB with 1 MiB
     * ({@code MatchingBench}). Overridable through {@code kafka_properties}.
     */
    static final long STORE_CACHE_BYTES = 1024 * 1024;

    private final KafkaStreams streams;
    private final StateDirLock stateDirLock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String failure;

    private MasterApp(KafkaStreams streams, StateDirLock stateDirLock) {
        this.streams = streams;
        this.stateDirLock = stateDirLock;
    }

    /**
     * {@code config} with the contract's {@code VERIFIER_FEE}, read from the chain (the master
     * refuses a job paying less: the contract accepts it, but it can never be verified).
     *
     * @throws IllegalStateException naming the endpoint and contract when the read fails
     */
    public static MasterStreamsConfig withChainRates(MasterStreamsConfig config) {
        String endpoint = config.master().endpoint().toString();
        String contract = config.master().emethContractAddress();
        try (EmethCoreReader reader = EmethCoreReader.open(endpoint, contract, config.poolId())) {
            BigInteger fee = reader.rates().verifierFee();
            log.info("Read the contract's rates [contract:{}, verifierFeeWei:{}]", contract, fee);
            return config.withVerifierFee(fee);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read VERIFIER_FEE of EmethCore "
                            + contract
                            + " at "
                            + endpoint
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Checks the topics, creates the internal inboxes and starts the application.
     *
     * @throws IllegalStateException naming a missing topic or partition mismatch, or the instance
     *     that already runs on this {@code state_dir}
     */
    public static MasterApp start(MasterStreamsConfig config) {
        Membership membership = config.membership();
        StateDirLock lock =
                StateDirLock.acquire(config.master().stateDir(), membership.instanceId());
        try {
            return start(config, lock);
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    private static MasterApp start(MasterStreamsConfig config, StateDirLock lock) {
        Topics topics = Topics.create(serdeConfig(config), config.topicPrefix());
        Properties props = streamsProperties(config);
        try (Admin admin = Admin.create(adminProperties(config))) {
            InternalTopics.prepare(admin, config, topics);
        }
        KafkaStreams streams = new KafkaStreams(MasterTopology.build(config, topics), props);
        MasterApp app = new MasterApp(streams, lock);
        String instanceId = config.membership().instanceId();
        streams.setUncaughtExceptionHandler(
                e -> {
                    if (fencedInstance(e)) {
                        app.failure =
                                "another live master instance joined group "
                                        + config.master().applicationId()
                                        + " with instance_id "
                                        + instanceId
                                        + " and took over this one's tasks; two instances must"
                                        + " not share an instance_id (give each its own"
                                        + " instance_id, or leave it unset and give each its own"
                                        + " state_dir)";
                        log.error("Master stopping [instanceId:{}]: {}", instanceId, app.failure);
                        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                    }
                    // the task restarts from its last commit; GuardedProcessor bounds the retries
                    log.error("Stream thread failed; replacing it", e);
                    return StreamThreadExceptionResponse.REPLACE_THREAD;
                });
        streams.setStateListener(
                (now, before) -> {
                    log.info("Master state [from:{}, to:{}]", before, now);
                    if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                        app.stopped.countDown();
                    }
                });
        streams.start();
        log.info(
                "Master started [applicationId:{}, instanceId:{}, instances:{}, pool:{},"
                        + " cooperative:{}, topicPrefix:{}]",
                config.master().applicationId(),
                instanceId,
                config.membership().instances(),
                config.poolId(),
                config.master().cooperative().configValue(),
                config.topicPrefix());
        return app;
    }

    /**
     * The Kafka Streams properties of this master: EOS v2; a record that cannot be deserialised is
     * logged and skipped; an exception while processing fails the task (the default handler) so
     * that nothing half-done is committed, and {@code GuardedProcessor} dead-letters a record that
     * keeps failing.
     */
    public static Properties streamsProperties(MasterStreamsConfig config) {
        Properties props = new Properties();
        var master = config.master();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, master.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, master.kafka().bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, master.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        // static membership (see Membership); kafka_properties may still set the timeout and the
        // standbys, the instance id only comes from instance_id
        props.put(
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                config.membership().instanceId());
        props.put(
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                (int) Membership.SESSION_TIMEOUT.toMillis());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.membership().standbyReplicas());
        props.putAll(LATENCY_DEFAULTS);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, STORE_CACHE_BYTES);
        // undecodable input is logged and skipped, never allowed to stop the pipeline
        props.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        props.putAll(master.kafka().properties());
        return props;
    }

    /** Whether {@code e} says the broker fenced this instance's static member id. */
    static boolean fencedInstance(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FencedInstanceIdException) {
                return true;
            }
        }
        return false;
    }

    static SerdeConfig serdeConfig(MasterStreamsConfig config) {
        Map<String, Object> map = new HashMap<>(config.master().kafka().properties());
        map.put(SerdeConfig.REGISTRY_URL, config.master().kafka().schemaRegistryUrl().toString());
        return SerdeConfig.fromMap(map);
    }

    private static Properties adminProperties(MasterStreamsConfig config) {
        Properties props = new Properties();
        props.putAll(config.master().kafka().properties());
        props.put(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.master().kafka().bootstrapServers());
        return props;
    }

    /** Binds the application's Kafka Streams metrics (threads, tasks, stores, clients). */
    public void bindMetrics(MeterRegistry registry) {
        new KafkaStreamsMetrics(streams).bindTo(registry);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Why the application stopped on its own, when it did for a reason of its own naming. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** Whether the application is running (or rebalancing). */
    public boolean isRunning() {
        return streams.state().isRunningOrRebalancing();
    }

    /** Blocks until the application stops (closed, or failed for good). */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        streams.close(CLOSE_TIMEOUT);
        stateDirLock.close();
        stopped.countDown();
        log.info("Master stopped");
    }
}
