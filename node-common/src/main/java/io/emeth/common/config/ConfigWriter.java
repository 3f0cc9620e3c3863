package io.emeth.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.common.eth.NodeIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link MasterConfig} or {@link WorkerConfig} back into the JSON file {@link ConfigLoader}
 * reads, with the original keys, so the launcher ({@code emeth dev up}) can print or write
 * ready-to-use {@code config/master.json} and {@code config/worker.json}.
 *
 * <p>The output holds the private key: {@link #write} creates the file owner-only (rw-------). Fees
 * are written as decimal strings, since JSON numbers above 2^53 lose precision in many tools.
 */
public final class ConfigWriter {
    private ConfigWriter() {}

    /** The master's config as pretty-printed JSON, loadable by {@link ConfigLoader}. */
    public static String toJson(MasterConfig c) {
        ObjectNode o = ConfigLoader.JSON.createObjectNode();
        o.put("emethContractAddress", c.emethContractAddress());
        o.put("tokenContractAddress", c.tokenContractAddress());
        o.put("endpoint", c.endpoint().toString());
        o.put("privateKey", c.identity().privateKeyHex());
        o.put("storageApi", c.storageApi().toString());
        o.put("batchSize", c.batchSize());
        o.put("n_epochs", c.nEpochs());
        o.put("device", c.device());
        o.put("my_url", c.myUrl().toString());
        strings(o, "worker_whitelist", c.workerWhitelist());
        strings(o, "jsonrpc_whitelist", c.jsonrpcWhitelist());
        if (!c.readWhitelist().equals(c.jsonrpcWhitelist())) {
            strings(o, "read_whitelist", c.readWhitelist());
        }
        if (!c.allowedHosts().isEmpty()) {
            strings(o, "allowed_hosts", c.allowedHosts());
        }
        c.externalDb()
                .ifPresent(
                        db ->
                                o.putObject("external_db")
                                        .put("host", db.host())
                                        .put("port", db.port())
                                        .put("database", db.database())
                                        .put("user", db.user())
                                        .put("password", db.password()));
        o.put("cooperative", c.cooperative().configValue());
        c.boardUrl().ifPresent(u -> o.put("board_url", u.toString()));
        o.put("min_fee", c.minFee().toString());
        o.put("max_fee", c.maxFee().toString());
        o.put("kafka_bootstrap_servers", c.kafka().bootstrapServers());
        o.put("schema_registry_url", c.kafka().schemaRegistryUrl().toString());
        map(o, "kafka_properties", c.kafka().properties());
        o.put("confirmations", c.confirmations());
        o.put("start_block", c.startBlock());
        o.put("reorg_window", c.reorgWindow());
        o.put("max_inflight_txs", c.gateway().maxInflightTxs());
        o.put("max_fee_ceiling_wei", c.gateway().maxFeeCeilingWei().toString());
        o.put("allowance_deposits", c.gateway().allowanceDeposits());
        o.put("allowance_low_water_deposits", c.gateway().allowanceLowWaterDeposits());
        o.put("poll_interval_ms", c.pollInterval().toMillis());
        o.put("tx_timeout_ms", c.txTimeout().toMillis());
        o.put("worker_heartbeat_timeout_ms", c.workerHeartbeatTimeout().toMillis());
        o.put("application_id", c.applicationId());
        o.put("state_dir", c.stateDir().toString());
        o.put("sqlite_path", c.sqlitePath().toString());
        return pretty(o);
    }

    /** The worker's config as pretty-printed JSON, loadable by {@link ConfigLoader}. */
    public static String toJson(WorkerConfig c) {
        ObjectNode o = ConfigLoader.JSON.createObjectNode();
        o.put("device", c.device());
        c.myUrl().ifPresent(u -> o.put("my_url", u.toString()));
        o.put("master_node_url", c.masterNodeUrl().toString());
        o.put("powerCapacity", c.powerCapacity());
        c.identity().map(NodeIdentity::privateKeyHex).ifPresent(k -> o.put("privateKey", k));
        o.putObject("timeout")
                .put("wait_data", c.timeouts().waitData().toMillis())
                .put("idle", c.timeouts().idle().toMillis())
                .put("learning", c.timeouts().learning().toMillis())
                .put("checkpoint", c.timeouts().checkpoint().toMillis());
        o.put("key_file", c.keyFile().toString());
        c.kafkaBootstrapServers().ifPresent(s -> o.put("kafka_bootstrap_servers", s));
        c.schemaRegistryUrl().map(URI::toString).ifPresent(u -> o.put("schema_registry_url", u));
        map(o, "kafka_properties", c.kafkaProperties());
        c.pool().ifPresent(p -> o.put("pool", p));
        o.put("heartbeat_interval_ms", c.heartbeatInterval().toMillis());
        o.put("data_dir", c.dataDir().toString());
        o.put("models_dir", c.modelsDir().toString());
        o.put("max_update_norm_multiple", c.maxUpdateNormMultiple());
        FineTuning f = c.fineTuning();
        o.putObject("fine_tuning")
                .put("context_length", f.contextLength())
                .put("learning_rate", f.learningRate())
                .put("warmup_ratio", f.warmupRatio())
                .put("cosine_decay", f.cosineDecay())
                .put("weight_decay", f.weightDecay())
                .put("grad_clip", f.gradClip())
                .put("dropout", f.dropout());
        return pretty(o);
    }

    /**
     * Writes {@code json} to {@code file} atomically, readable by the owner only because it holds a
     * private key.
     */
    public static void write(Path file, String json) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            try {
                Files.move(
                        tmp,
                        file,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void strings(ObjectNode o, String key, List<String> values) {
        values.forEach(o.putArray(key)::add);
    }

    private static void map(ObjectNode o, String key, Map<String, String> values) {
        ObjectNode m = o.putObject(key);
        values.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> m.put(e.getKey(), e.getValue()));
    }

    private static String pretty(ObjectNode o) {
        try {
            return ConfigLoader.JSON
                            .writer()
                            .with(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(o)
                    + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
