package io.emeth.master.config;

import io.emeth.common.config.MasterConfig;
import io.emeth.common.config.WorkerTimeouts;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything {@code emeth master} runs with: the node's {@link MasterConfig} (the original keys of
 * {@code config/master.json} plus Kafka settings, loaded by node-common) and the keys only the
 * Streams application reads, loaded by {@link MasterStreamsConfigLoader} from the same file.
 *
 * <table>
 * <caption>Keys of config/master.json read here</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>timeout.wait_data, timeout.idle, timeout.learning, timeout.checkpoint</td>
 *     <td>300000, 1200000, 10000, 2400000</td>
 *     <td>phase timeouts in ms, as in the original worker config: handed to the workers in
 *     TrainingAssigned, and used by the master to drop stragglers</td></tr>
 * <tr><td>model.*</td><td>{@link ModelSettings#DEFAULTS}</td><td>the model workers train</td></tr>
 * <tr><td>aggregation.method, .outer_learning_rate, .outer_momentum</td><td>average</td>
 *     <td>how a round's shards are combined</td></tr>
 * <tr><td>models</td><td>{@link ModelTable#DEFAULTS}</td><td>program → language → the pretrained
 *     model a job fine-tunes; only workers that hold it are matched</td></tr>
 * <tr><td>worker_retention_ms, job_retention_ms</td><td>86400000, 604800000</td><td>how long
 *     a gone worker and a finished job stay in the stores ({@link Retention})</td></tr>
 * <tr><td>topic_prefix</td><td>""</td><td>prefix of every topic name (test isolation)</td></tr>
 * <tr><td>stream_threads</td><td>1</td><td>Kafka Streams threads of this instance</td></tr>
 * <tr><td>punctuate_interval_ms</td><td>1000</td><td>how often the wall-clock checks run (lost
 *     workers, phase timeouts, aggregation timers)</td></tr>
 * <tr><td>match_batch_ms</td><td>5</td><td>the pool matcher applies the records it gets
 *     for this long, then matches once, highest fee first (0: after every record)</td></tr>
 * <tr><td>heartbeat_batch_ms</td><td>100</td><td>the worker-events router gathers heartbeats
 *     for this long and sends them to the pool as one record (0: one record per heartbeat)</td></tr>
 * <tr><td>instance_id</td><td>host name + hash of state_dir</td><td>this instance's static
 *     membership id ({@link Membership}): stable across restarts, unique per instance</td></tr>
 * <tr><td>master_instances</td><td>1</td><td>how many instances share application_id; above 1
 *     each task keeps a warm standby on another instance</td></tr>
 * </table>
 *
 * <p>{@code verifierFee} is not a key: it is the contract's {@code VERIFIER_FEE}, which the
 * launcher reads from the chain at start ({@code MasterApp.withChainRates}); a job paying less can
 * never be verified, so the master never takes one. 0 (no floor) until it is read.
 */
public record MasterStreamsConfig(
        MasterConfig master,
        WorkerTimeouts timeouts,
        ModelSettings model,
        AggregationSettings aggregation,
        ModelTable models,
        Retention retention,
        String topicPrefix,
        int streamThreads,
        Duration punctuateInterval,
        Duration matchBatch,
        Duration heartbeatBatch,
        Membership membership,
        BigInteger verifierFee) {
    /** How long the pool gathers records before one matching pass ({@code match_batch_ms}). */
    public static final Duration DEFAULT_MATCH_BATCH = Duration.ofMillis(5);

    /**
     * How long the worker-events router gathers heartbeats before it sends them to the pool as one
     * record ({@code heartbeat_batch_ms}).
     */
    public static final Duration DEFAULT_HEARTBEAT_BATCH = Duration.ofMillis(100);

    static final Pattern TOPIC_PREFIX = Pattern.compile("[A-Za-z0-9._-]{0,100}");

    public MasterStreamsConfig {
        Objects.requireNonNull(master, "master");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(aggregation, "aggregation");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(punctuateInterval, "punctuateInterval");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(verifierFee, "verifierFee");
        if (verifierFee.signum() < 0) {
            throw new IllegalArgumentException("verifierFee is negative: " + verifierFee);
        }
        if (!TOPIC_PREFIX.matcher(topicPrefix).matches()) {
            throw new IllegalArgumentException(
                    "topic_prefix may hold only letters, digits, '.', '_' and '-' (at most 100),"
                            + " got '"
                            + topicPrefix
                            + "'");
        }
        if (streamThreads < 1) {
            throw new IllegalArgumentException("stream_threads must be at least 1");
        }
        if (punctuateInterval.toMillis() < 10) {
            throw new IllegalArgumentException("punctuate_interval_ms must be at least 10");
        }
        Objects.requireNonNull(matchBatch, "matchBatch");
        if (matchBatch.isNegative() || matchBatch.toMillis() > 1_000) {
            throw new IllegalArgumentException("match_batch_ms must be 0 to 1000");
        }
        Objects.requireNonNull(heartbeatBatch, "heartbeatBatch");
        if (heartbeatBatch.isNegative() || heartbeatBatch.toMillis() > 5_000) {
            throw new IllegalArgumentException("heartbeat_batch_ms must be 0 to 5000");
        }
    }

    /** The defaults for every key read here, around a loaded {@link MasterConfig}. */
    public static MasterStreamsConfig defaults(MasterConfig master) {
        return new MasterStreamsConfig(
                master,
                WorkerTimeouts.DEFAULTS,
                ModelSettings.DEFAULTS,
                AggregationSettings.DEFAULTS,
                ModelTable.DEFAULTS,
                Retention.DEFAULTS,
                "",
                1,
                Duration.ofSeconds(1),
                DEFAULT_MATCH_BATCH,
                DEFAULT_HEARTBEAT_BATCH,
                Membership.single(master.stateDir()),
                BigInteger.ZERO);
    }

    /** The pool this master serves: its account's checksummed address. */
    public String poolId() {
        return master.poolId();
    }

    public MasterStreamsConfig withTopicPrefix(String prefix) {
        return new MasterStreamsConfig(
                master,
                timeouts,
                model,
                aggregation,
                models,
                retention,
                prefix,
                streamThreads,
                punctuateInterval,
                matchBatch,
                heartbeatBatch,
                membership,
                verifierFee);
    }

    public MasterStreamsConfig withTimeouts(WorkerTimeouts newTimeouts) {
        return new MasterStreamsConfig(
                master,
                newTimeouts,
                model,
                aggregation,
                models,
                retention,
                topicPrefix,
                streamThreads,
                punctuateInterval,
                matchBatch,
                heartbeatBatch,
                membership,
                verifierFee);
    }

    public MasterStreamsConfig withModels(ModelTable newModels) {
        return new MasterStreamsConfig(
                master,
                timeouts,
                model,
                aggregation,
                newModels,
                retention,
                topicPrefix,
                streamThreads,
                punctuateInterval,
                matchBatch,
                heartbeatBatch,
                membership,
                verifierFee);
    }

    public MasterStreamsConfig withPunctuateInterval(Duration interval) {
        return new MasterStreamsConfig(
                master,
                timeouts,
                model,
                aggregation,
                models,
                retention,
                topicPrefix,
                streamThreads,
                interval,
                matchBatch,
                heartbeatBatch,
                membership,
                verifierFee);
    }

    /** Matching after every record ({@link Duration#ZERO}) or once per {@code batch}. */
    public MasterStreamsConfig withMatchBatch(Duration batch) {
        return new MasterStreamsConfig(
                master,
                timeouts,
                model,
                aggregation,
                models,
                retention,
                topicPrefix,
                streamThreads,
                punctuateInterval,
                batch,
                heartbeatBatch,
                membership,
                verifierFee);
    }

    /** Heartbeats sent to the pool one by one ({@link Duration#ZERO}) or once per {@code batch}. */
    public MasterStreamsConfig withHeartbeatBatch(Duration batch) {
        return new MasterStreamsConfig(
                master,
                timeouts,
                model,
                aggregation,
                models,
                retention,
                topicPrefix,
                streamThreads,
                punctuateInterval,
                matchBatch,
                batch,
                membership,
                verifierFee);
    }

    /** With the contract's {@code VERIFIER_FEE} (wei), as read from the chain. */
    public MasterStreamsConfig withVerifierFee(BigInteger fee) {
        return new MasterStreamsConfig(
                master,
                timeouts,
                model,
                aggregation,
                models,
                retention,
                topicPrefix,
                streamThreads,
                punctuateInterval,
                matchBatch,
                heartbeatBatch,
                membership,
                fee);
    }
}
