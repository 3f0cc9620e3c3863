package io.emeth.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the registry's topic when absent, as Confluent's registry does: one partition (the log
 * must be totally ordered), compacted, replicated to min(3, brokers).
 */
final class SchemaTopicSetup {
    private static final Logger log = LoggerFactory.getLogger(SchemaTopicSetup.class);

    private SchemaTopicSetup() {}

    static void ensureTopic(String bootstrapServers, String topic, Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(props)) {
            long millis = timeout.toMillis();
            int brokers = admin.describeCluster().nodes().get(millis, TimeUnit.MILLISECONDS).size();
            short replication = (short) Math.max(1, Math.min(3, brokers));
            NewTopic newTopic =
                    new NewTopic(topic, 1, replication)
                            .configs(Map.of("cleanup.policy", "compact"));
            try {
                admin.createTopics(List.of(newTopic)).all().get(millis, TimeUnit.MILLISECONDS);
                log.info("Created schema topic [topic:{}, replication:{}]", topic, replication);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            TopicDescription description = describeOnceKnown(admin, topic, millis);
            if (description.partitions().size() != 1) {
                throw new IllegalStateException(
                        "topic "
                                + topic
                                + " has "
                                + description.partitions().size()
                                + " partitions; the schema registry needs exactly one (use another"
                                + " topic name or recreate it with one partition)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing topic " + topic, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "could not prepare topic "
                            + topic
                            + " on Kafka at "
                            + bootstrapServers
                            + " (is the broker running?): "
                            + e,
                    e);
        }
    }

    /**
     * Describes a topic, retrying while the broker's metadata does not know it yet: right after
     * {@code createTopics} returns, a describe can still answer UnknownTopicOrPartition.
     */
    private static TopicDescription describeOnceKnown(Admin admin, String topic, long millis)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            try {
                return admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(millis, TimeUnit.MILLISECONDS)
                        .get(topic);
            } catch (ExecutionException e) {
                boolean unknown =
                        e.getCause()
                                instanceof
                                org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
                if (!unknown || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // metadata propagation has no event to wait on
            }
        }
    }
}
