package io.emeth.schemas;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * How a topic should be created: its recommended partition count and configs (cleanup policy,
 * retention). {@code emeth topics create} and the ITs create topics from these.
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {
    public static final String CLEANUP_POLICY = "cleanup.policy";

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    "topic " + name + ": partitions must be at least 1, was " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    /** {@code delete} or {@code compact}. */
    public String cleanupPolicy() {
        return configs.getOrDefault(CLEANUP_POLICY, "delete");
    }

    public boolean compacted() {
        return cleanupPolicy().contains("compact");
    }

    /** The same topic with another partition count (a single-broker dev stack may want fewer). */
    public TopicSpec withPartitions(int count) {
        return new TopicSpec(name, count, configs);
    }

    /** An admin request to create the topic with this spec. */
    public NewTopic newTopic(short replicationFactor) {
        return new NewTopic(name, Optional.of(partitions), Optional.of(replicationFactor))
                .configs(configs);
    }
}
