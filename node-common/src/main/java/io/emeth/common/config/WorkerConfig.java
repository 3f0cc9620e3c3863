package io.emeth.common.config;

import io.emeth.common.eth.NodeIdentity;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A worker's configuration, {@code config/worker.json}, validated once at start by {@link
 * ConfigLoader}. It needs no more than the original keys: the pool, Kafka and registry addresses
 * are asked from the master's admin-rpc at {@code master_node_url} unless set here. {@link
 * #toString()} shows no secret.
 *
 * <table>
 * <caption>Keys of config/worker.json</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>device</td><td>cpu</td><td>{@code cpu}, {@code cuda} or {@code cuda:N}</td></tr>
 * <tr><td>my_url</td><td>none</td><td>this worker's own URL (kept for the original's file; informational)</td></tr>
 * <tr><td>master_node_url</td><td>required</td><td>the master's admin-rpc URL</td></tr>
 * <tr><td>powerCapacity</td><td>required</td><td>this worker's power capacity, a positive integer</td></tr>
 * <tr><td>privateKey</td><td>generated</td><td>the worker's key; when absent one is generated once and kept in key_file</td></tr>
 * <tr><td>timeout.wait_data</td><td>300000</td><td>ms to get the data</td></tr>
 * <tr><td>timeout.idle</td><td>1200000</td><td>ms idle inside a job</td></tr>
 * <tr><td>timeout.learning</td><td>10000</td><td>ms without a training progress step</td></tr>
 * <tr><td>timeout.checkpoint</td><td>2400000</td><td>ms to produce and upload a checkpoint</td></tr>
 * <tr><td>key_file</td><td>config/worker.key</td><td>where a generated key is kept (rw-------)</td></tr>
 * <tr><td>kafka_bootstrap_servers</td><td>from the master</td><td>Kafka brokers</td></tr>
 * <tr><td>schema_registry_url</td><td>from the master</td><td>schema registry</td></tr>
 * <tr><td>kafka_properties</td><td>{}</td><td>extra Kafka client properties (TLS/SASL)</td></tr>
 * <tr><td>pool</td><td>from the master</td><td>the master's account address</td></tr>
 * <tr><td>heartbeat_interval_ms</td><td>5000</td><td>how often the worker heartbeats</td></tr>
 * <tr><td>data_dir</td><td>.emeth/worker</td><td>data sets, shards and checkpoints on disk</td></tr>
 * <tr><td>models_dir</td><td>.emeth/models</td><td>pretrained checkpoints, one directory per model
 *     (config.json, model.safetensors, tokenizer.json), named as in the master's models table</td></tr>
 * <tr><td>max_update_norm_multiple</td><td>10</td><td>as a round's aggregator, refuse a shard whose
 *     update norm ‖θ_shard − θ_start‖ exceeds this multiple of the round's median (1..1000000)</td></tr>
 * <tr><td>fine_tuning.*</td><td>see {@link FineTuning#DEFAULTS}</td><td>how pretrained models are
 *     fine-tuned: context_length, learning_rate, warmup_ratio, cosine_decay, weight_decay,
 *     grad_clip, dropout</td></tr>
 * </table>
 */
public record WorkerConfig(
        String device,
        Optional<URI> myUrl,
        URI masterNodeUrl,
        long powerCapacity,
        Optional<NodeIdentity> identity,
        WorkerTimeouts timeouts,
        Path keyFile,
        Optional<String> kafkaBootstrapServers,
        Optional<URI> schemaRegistryUrl,
        Map<String, String> kafkaProperties,
        Optional<String> pool,
        Duration heartbeatInterval,
        Path dataDir,
        Path modelsDir,
        int maxUpdateNormMultiple,
        FineTuning fineTuning) {

    /** Default of {@code max_update_norm_multiple}. */
    public static final int DEFAULT_MAX_UPDATE_NORM_MULTIPLE = 10;

    /** Without {@code max_update_norm_multiple} and {@code fine_tuning} (their defaults). */
    public WorkerConfig(
            String device,
            Optional<URI> myUrl,
            URI masterNodeUrl,
            long powerCapacity,
            Optional<NodeIdentity> identity,
            WorkerTimeouts timeouts,
            Path keyFile,
            Optional<String> kafkaBootstrapServers,
            Optional<URI> schemaRegistryUrl,
            Map<String, String> kafkaProperties,
            Optional<String> pool,
            Duration heartbeatInterval,
            Path dataDir,
            Path modelsDir) {
        this(
                device,
                myUrl,
                masterNodeUrl,
                powerCapacity,
                identity,
                timeouts,
                keyFile,
                kafkaBootstrapServers,
                schemaRegistryUrl,
                kafkaProperties,
                pool,
                heartbeatInterval,
                dataDir,
                modelsDir,
                DEFAULT_MAX_UPDATE_NORM_MULTIPLE,
                FineTuning.DEFAULTS);
    }

    public WorkerConfig {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(myUrl, "myUrl");
        Objects.requireNonNull(masterNodeUrl, "masterNodeUrl");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        kafkaProperties = Map.copyOf(kafkaProperties);
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(modelsDir, "modelsDir");
        Objects.requireNonNull(fineTuning, "fineTuning");
        if (powerCapacity < 1) {
            throw new IllegalArgumentException("powerCapacity must be positive: " + powerCapacity);
        }
        if (maxUpdateNormMultiple < 1) {
            throw new IllegalArgumentException(
                    "max_update_norm_multiple must be >= 1: " + maxUpdateNormMultiple);
        }
    }

    /** The configured key, or the one kept in {@link #keyFile()} (generated on first start). */
    public NodeIdentity resolveIdentity() throws IOException {
        return identity.isPresent() ? identity.get() : NodeIdentity.loadOrCreate(keyFile);
    }

    @Override
    public String toString() {
        return "WorkerConfig[device="
                + device
                + ", myUrl="
                + myUrl.map(URI::toString).orElse("")
                + ", masterNodeUrl="
                + masterNodeUrl
                + ", powerCapacity="
                + powerCapacity
                + ", identity="
                + identity.map(NodeIdentity::address).orElse("(key_file " + keyFile + ")")
                + ", timeouts="
                + timeouts
                + ", kafkaBootstrapServers="
                + kafkaBootstrapServers.orElse("(from master)")
                + ", schemaRegistryUrl="
                + schemaRegistryUrl.map(URI::toString).orElse("(from master)")
                + ", kafkaProperties="
                + Secrets.masked(kafkaProperties)
                + ", pool="
                + pool.orElse("(from master)")
                + ", heartbeatInterval="
                + heartbeatInterval
                + ", dataDir="
                + dataDir
                + ", modelsDir="
                + modelsDir
                + ", maxUpdateNormMultiple="
                + maxUpdateNormMultiple
                + ", fineTuning="
                + fineTuning
                + "]";
    }
}
