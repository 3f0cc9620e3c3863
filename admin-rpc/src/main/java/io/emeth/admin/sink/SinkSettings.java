package io.emeth.admin.sink;

import io.emeth.common.config.MasterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * How the JDBC sink reaches Kafka and batches its work.
 *
 * @param bootstrapServers Kafka brokers
 * @param kafkaProperties extra client properties (TLS/SASL)
 * @param groupId the group the sink commits its offsets under for lag monitoring (kafka tools); the
 *     sink assigns itself every partition and resumes from the offsets in the database
 * @param maxPollRecords most records applied in one database transaction
 * @param pollTimeout longest wait for records per poll
 * @param masterAddress this node's account, for {@code contributions.master_address}
 * @param afterDatabaseCommit called with the batch number after each database commit and before the
 *     Kafka offset commit (crash tests stop the process here); a no-op in production
 */
public record SinkSettings(
        String bootstrapServers,
        Map<String, String> kafkaProperties,
        String groupId,
        int maxPollRecords,
        Duration pollTimeout,
        String masterAddress,
        IntConsumer afterDatabaseCommit) {
    public static final String DEFAULT_GROUP_ID = "emeth-admin-sink";

    public SinkSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        kafkaProperties = Map.copyOf(kafkaProperties);
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(pollTimeout, "pollTimeout");
        Objects.requireNonNull(afterDatabaseCommit, "afterDatabaseCommit");
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException(
                    "maxPollRecords must be positive: " + maxPollRecords);
        }
    }

    /** Defaults for a node: its Kafka settings and account from {@code config}. */
    public static SinkSettings of(MasterConfig config) {
        return of(config.kafka().bootstrapServers(), config.poolId())
                .withKafkaProperties(config.kafka().properties());
    }

    /** Defaults: group {@value #DEFAULT_GROUP_ID}, 500 records per batch, 500 ms polls. */
    public static SinkSettings of(String bootstrapServers, String masterAddress) {
        return new SinkSettings(
                bootstrapServers,
                Map.of(),
                DEFAULT_GROUP_ID,
                500,
                Duration.ofMillis(500),
                masterAddress,
                batch -> {});
    }

    public SinkSettings withKafkaProperties(Map<String, String> value) {
        return new SinkSettings(
                bootstrapServers,
                value,
                groupId,
                maxPollRecords,
                pollTimeout,
                masterAddress,
                afterDatabaseCommit);
    }

    public SinkSettings withGroupId(String value) {
        return new SinkSettings(
                bootstrapServers,
                kafkaProperties,
                value,
                maxPollRecords,
                pollTimeout,
                masterAddress,
                afterDatabaseCommit);
    }

    public SinkSettings withMaxPollRecords(int value) {
        return new SinkSettings(
                bootstrapServers,
                kafkaProperties,
                groupId,
                value,
                pollTimeout,
                masterAddress,
                afterDatabaseCommit);
    }

    public SinkSettings withAfterDatabaseCommit(IntConsumer value) {
        return new SinkSettings(
                bootstrapServers,
                kafkaProperties,
                groupId,
                maxPollRecords,
                pollTimeout,
                masterAddress,
                value);
    }
}
