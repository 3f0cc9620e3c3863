package io.emeth.common.config;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * Where a process finds Kafka and the schema registry, plus any extra Kafka client properties
 * (TLS/SASL in production). {@link #toString()} masks properties whose names look secret.
 *
 * @param bootstrapServers {@code host:port[,host:port…]}
 * @param schemaRegistryUrl the Confluent-compatible registry
 * @param properties extra client properties, applied to every producer, consumer and Streams app
 */
public record KafkaSettings(
        String bootstrapServers, URI schemaRegistryUrl, Map<String, String> properties) {
    /** What {@code emeth dev} runs. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

    /** What {@code emeth dev} runs. */
    public static final URI DEFAULT_SCHEMA_REGISTRY_URL = URI.create("http://127.0.0.1:8081");

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        properties = Map.copyOf(properties);
    }

    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers="
                + bootstrapServers
                + ", schemaRegistryUrl="
                + schemaRegistryUrl
                + ", properties="
                + Secrets.masked(properties)
                + "]";
    }
}
