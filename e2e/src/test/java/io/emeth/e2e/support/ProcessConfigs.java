package io.emeth.e2e.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.worker.it.TestJobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The config files of a drill's node, as an operator writes them: one {@code master.json} (read by
 * the indexer, the gateway, the master and admin-rpc) for dev account 1, and a {@code worker.json}
 * per dev worker (accounts 2, 3, …) with only the original keys plus its own folders; the workers
 * learn Kafka, the registry and the topic prefix from admin-rpc's node-info.
 *
 * <p>The timeouts are generous because the drill runs on a shared 2-core machine: a killed worker
 * must be back before the master gives up on it, and the master does after three missed heartbeats
 * ({@value #WORKER_HEARTBEAT_MS} ms apart: 40 to 60 s after a kill, where a worker's JVM, libtorch
 * and Kafka clients take 10 to 35 s to start here). Kafka's session timeouts keep their defaults:
 * the master and the gateway are static group members, so a restarted one takes its partitions back
 * at once without a shorter session.
 */
public final class ProcessConfigs {
    /** Each dev worker's power capacity: a 1 MB job due in a day needs both (R ≈ 58). */
    public static final long WORKER_CAPACITY = 40;

    /** A worker's heartbeat interval; the master marks it LOST after three missed ones. */
    public static final int WORKER_HEARTBEAT_MS = 20_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProcessConfigs() {}

    /** Where the node's processes find the drill's stack. */
    public record Endpoints(
            String ethereum,
            DevChain.Deployment contracts,
            String storageApi,
            String kafkaBootstrapServers,
            String schemaRegistryUrl,
            String topicPrefix,
            int adminPort) {
        public String adminUrl() {
            return "http://127.0.0.1:" + adminPort;
        }
    }

    /** Writes {@code master.json} into {@code dir}; returns its path. */
    public static Path writeMaster(Path dir, Endpoints at, String applicationId)
            throws IOException {
        return writeMaster(dir, at, applicationId, o -> {});
    }

    /** As {@link #writeMaster(Path, Endpoints, String)}, with a drill's own changes to it. */
    public static Path writeMaster(
            Path dir, Endpoints at, String applicationId, Consumer<ObjectNode> tweaks)
            throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("emethContractAddress", at.contracts().coreAddress());
        o.put("tokenContractAddress", at.contracts().tokenAddress());
        o.put("endpoint", at.ethereum());
        o.put("privateKey", DevAccounts.get(1).privateKey());
        o.put("storageApi", at.storageApi());
        o.put("my_url", at.adminUrl());
        o.put("cooperative", "nvm");
        o.put("kafka_bootstrap_servers", at.kafkaBootstrapServers());
        o.put("schema_registry_url", at.schemaRegistryUrl());
        o.put("topic_prefix", at.topicPrefix());
        o.put("application_id", applicationId);
        o.put("confirmations", 2);
        o.put("poll_interval_ms", 200);
        o.put("worker_heartbeat_timeout_ms", 60_000);
        o.put("punctuate_interval_ms", 500);
        o.put("state_dir", dir.resolve("master-state").toString());
        o.put("sqlite_path", sqlitePath(dir).toString());
        o.set("timeout", timeouts());
        o.putObject("model")
                .put("context_length", 32)
                .put("embedding_dim", 32)
                .put("layers", 2)
                .put("heads", 2);
        // every job fine-tunes the tiny pretrained GPT-2 the workers hold (see writeWorker)
        o.putObject("models")
                .putObject("0")
                .put("en", TestJobs.TINY_GPT2)
                .put("ja", TestJobs.TINY_GPT2);
        tweaks.accept(o);
        return write(dir.resolve("master.json"), o);
    }

    /** Writes the config of dev worker {@code n} (1-based: account 1 + n); returns its path. */
    public static Path writeWorker(Path dir, Endpoints at, int n) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("device", "cpu");
        o.put("master_node_url", at.adminUrl());
        o.put("powerCapacity", WORKER_CAPACITY);
        o.put("privateKey", DevAccounts.get(1 + n).privateKey());
        o.put("heartbeat_interval_ms", WORKER_HEARTBEAT_MS);
        o.put("data_dir", dir.resolve("worker-" + n).toString());
        o.put("key_file", dir.resolve("worker-" + n + "/worker.key").toString());
        Path models = dir.resolve("models");
        TestJobs.writeTinyGpt2(models);
        o.put("models_dir", models.toString());
        o.set("timeout", timeouts());
        return write(dir.resolve("worker-" + n + ".json"), o);
    }

    /** The JDBC sink's SQLite file of the node in {@code dir}. */
    public static Path sqlitePath(Path dir) {
        return dir.resolve("admin/emeth.db");
    }

    private static ObjectNode timeouts() {
        return JSON.createObjectNode()
                .put("wait_data", 120_000)
                .put("idle", 300_000)
                .put("learning", 60_000)
                .put("checkpoint", 300_000);
    }

    private static Path write(Path file, ObjectNode json) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        return file;
    }
}
