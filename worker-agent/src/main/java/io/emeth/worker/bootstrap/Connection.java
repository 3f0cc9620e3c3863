package io.emeth.worker.bootstrap;

import io.emeth.common.config.WorkerConfig;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where this worker's pool, Kafka, registry and storage are: each value from {@code
 * config/worker.json} (or the launcher's override) when set there, else from the master's {@link
 * NodeInfo}, which is fetched only when something is missing.
 *
 * @param pool the pool (master account) the worker registers with, checksummed
 * @param bootstrapServers Kafka's bootstrap servers
 * @param schemaRegistryUrl the schema registry
 * @param topicPrefix prefix of every topic name; empty in production
 * @param storageApi the Emeth storage API
 * @param kafkaProperties extra Kafka client properties from the config (TLS/SASL)
 */
public record Connection(
        String pool,
        String bootstrapServers,
        URI schemaRegistryUrl,
        String topicPrefix,
        URI storageApi,
        Map<String, String> kafkaProperties) {

    public Connection {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(storageApi, "storageApi");
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** Fetches the master's node-info; called at most once. */
    @FunctionalInterface
    public interface NodeInfoSource {
        NodeInfo fetch() throws IOException, InterruptedException;
    }

    /**
     * Resolves every value, asking {@code nodeInfo} only when the config and overrides leave one
     * open.
     *
     * @param storageApi the storage API when the launcher knows it (e.g. {@code emeth dev})
     * @param topicPrefix a topic prefix when the launcher sets one; else node-info's when it was
     *     fetched, else none
     * @throws IOException when node-info is needed and cannot be fetched
     * @throws IllegalArgumentException when node-info lacks the storage API and nothing else gives
     *     it
     */
    public static Connection resolve(
            WorkerConfig config,
            Optional<URI> storageApi,
            Optional<String> topicPrefix,
            NodeInfoSource nodeInfo)
            throws IOException, InterruptedException {
        boolean complete =
                config.pool().isPresent()
                        && config.kafkaBootstrapServers().isPresent()
                        && config.schemaRegistryUrl().isPresent()
                        && storageApi.isPresent();
        Optional<NodeInfo> info = complete ? Optional.empty() : Optional.of(nodeInfo.fetch());
        URI storage =
                storageApi
                        .or(() -> info.flatMap(NodeInfo::storageApi))
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "storageApi: the master's node-info at "
                                                        + NodeInfoClient.url(config.masterNodeUrl())
                                                        + " does not name the storage API; upgrade"
                                                        + " the master's admin-rpc or give the"
                                                        + " worker the storage API URL"));
        return new Connection(
                config.pool().orElseGet(() -> info.orElseThrow().pool()),
                config.kafkaBootstrapServers()
                        .orElseGet(() -> info.orElseThrow().kafkaBootstrapServers()),
                config.schemaRegistryUrl().orElseGet(() -> info.orElseThrow().schemaRegistryUrl()),
                topicPrefix.orElseGet(() -> info.map(NodeInfo::topicPrefix).orElse("")),
                storage,
                config.kafkaProperties());
    }
}
