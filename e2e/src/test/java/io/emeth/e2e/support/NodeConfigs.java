package io.emeth.e2e.support;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.common.config.WorkerConfig;
import io.emeth.common.config.WorkerTimeouts;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.worker.ModelConfig;
import io.emeth.worker.WorkerOptions;
import io.emeth.worker.it.TestJobs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The configs of a {@link NodeStack}'s parts, as an operator writes them: {@code master.json} for
 * the dev master account (parsed by the real loader, so a key the loader refuses fails the stack's
 * start) and each worker's {@code worker.json}.
 */
final class NodeConfigs {
    /** The phase timeouts of master and workers: worker-agent's ITs', for two shared cores. */
    static final WorkerTimeouts TIMEOUTS = TestJobs.TIMEOUTS;

    private NodeConfigs() {}

    /**
     * The master's config on the stack's chain, topics and storage, with its own application id
     * ({@code name}) and directories under {@code dir}; admin-rpc (when it runs) on {@code
     * adminPort}.
     */
    static MasterStreamsConfig master(
            String name,
            Path dir,
            NodeStack.Options options,
            ChainFixture chain,
            Topics topics,
            String storageApi,
            int adminPort) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("emethContractAddress", chain.deployment.coreAddress());
        o.put("tokenContractAddress", chain.deployment.tokenAddress());
        o.put("endpoint", chain.anvil.rpcUrl());
        o.put("privateKey", DevAccounts.get(1).privateKey());
        o.put("storageApi", storageApi);
        o.put("my_url", "http://127.0.0.1:" + adminPort);
        o.put("cooperative", "nvm");
        o.put("n_epochs", 2);
        o.put("min_fee", options.minFee().toString());
        o.put("max_fee", options.maxFee().toString());
        o.put("confirmations", options.confirmations());
        o.put("kafka_bootstrap_servers", KafkaFixture.kafka().bootstrapServers());
        o.put("schema_registry_url", KafkaFixture.registryUrl());
        o.put("topic_prefix", topics.prefix());
        o.put("application_id", name);
        o.put("state_dir", dir.resolve("master").toString());
        o.put("sqlite_path", dir.resolve("admin/emeth.db").toString());
        o.put("punctuate_interval_ms", 500);
        ObjectNode timeout = o.putObject("timeout");
        timeout.put("wait_data", TIMEOUTS.waitData().toMillis());
        timeout.put("idle", TIMEOUTS.idle().toMillis());
        timeout.put("learning", TIMEOUTS.learning().toMillis());
        timeout.put("checkpoint", TIMEOUTS.checkpoint().toMillis());
        // the tiny model of worker-agent's ITs: two epochs train in seconds on two shared cores
        ModelConfig tiny = TestJobs.tinyModel();
        ObjectNode model = o.putObject("model");
        model.put("context_length", tiny.getContextLength());
        model.put("embedding_dim", tiny.getEmbeddingDim());
        model.put("layers", tiny.getLayers());
        model.put("heads", tiny.getHeads());
        model.put("dropout", tiny.getDropout());
        model.put("learning_rate", tiny.getLearningRate());
        model.put("weight_decay", tiny.getWeightDecay());
        model.put("gradient_clip", tiny.getGradientClip());
        // every job fine-tunes the tiny pretrained GPT-2 each worker holds (see worker())
        ObjectNode models = o.putObject("models").putObject("0");
        models.put("en", TestJobs.TINY_GPT2);
        models.put("ja", TestJobs.TINY_GPT2);
        return new MasterStreamsConfigLoader(Map.of())
                .parse(o.toString(), name + " master.json")
                .config();
    }

    /**
     * A worker's config. With {@code adminUrl} it holds only the original keys and learns Kafka,
     * the registry, the pool, topics and storage from the master's node-info, as in production;
     * without, it is given all of them ({@link #workerOptions} adds storage and topics).
     */
    static WorkerConfig worker(
            Path home,
            NodeIdentity identity,
            long capacity,
            Optional<String> adminUrl,
            String pool) {
        boolean direct = adminUrl.isEmpty();
        try {
            TestJobs.writeTinyGpt2(home.resolve("models"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the worker's tiny GPT-2 in " + home, e);
        }
        return new WorkerConfig(
                "cpu",
                Optional.empty(),
                URI.create(adminUrl.orElse("http://127.0.0.1:1")),
                capacity,
                Optional.of(identity),
                TIMEOUTS,
                home.resolve("worker.key"),
                direct ? Optional.of(KafkaFixture.kafka().bootstrapServers()) : Optional.empty(),
                direct ? Optional.of(URI.create(KafkaFixture.registryUrl())) : Optional.empty(),
                Map.of(),
                direct ? Optional.of(pool) : Optional.empty(),
                Duration.ofSeconds(1),
                home.resolve("data"),
                home.resolve("models"));
    }

    /** The launcher's additions for a worker started without node-info. */
    static WorkerOptions workerOptions(boolean direct, String storageApi, Topics topics) {
        return direct
                ? WorkerOptions.defaults()
                        .withStorageApi(URI.create(storageApi))
                        .withTopicPrefix(topics.prefix())
                : WorkerOptions.defaults();
    }
}
