package io.emeth.deploy.topics;

import io.emeth.deploy.OperatorException;
import io.emeth.schemas.TopicSpec;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates the node's topics as {@link Topics#specs()} describes them (partitions, cleanup policy),
 * leaving existing ones alone; the replication factor follows the cluster's size (at most 3), and a
 * topic on three replicas or more gets {@code min.insync.replicas} 2, so that an acknowledged write
 * survives the loss of one broker.
 */
public final class TopicAdmin {
    /** The most replicas a topic gets. */
    static final int MAX_REPLICATION = 3;

    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    private TopicAdmin() {}

    /** Creates the missing topics and returns the names it created. */
    public static List<String> createMissing(String bootstrapServers, String registryUrl) {
        return createMissing(bootstrapServers, registryUrl, Map.of());
    }

    /**
     * Creates the missing topics as a client with {@code clientProperties} (TLS/SASL settings, as
     * in Kafka's {@code --command-config} files) and returns the names it created.
     */
    public static List<String> createMissing(
            String bootstrapServers, String registryUrl, Map<String, String> clientProperties) {
        return createMissing(bootstrapServers, registryUrl, clientProperties, "");
    }

    /** As above, for the node whose {@code topic_prefix} is {@code topicPrefix}. */
    public static List<String> createMissing(
            String bootstrapServers,
            String registryUrl,
            Map<String, String> clientProperties,
            String topicPrefix) {
        Topics topics = Topics.create(SerdeConfig.of(registryUrl), topicPrefix);
        try (Admin admin = Admin.create(adminConfig(bootstrapServers, clientProperties))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            List<NewTopic> missing = missingTopics(topics.specs(), existing, brokers);
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            }
            return missing.stream().map(NewTopic::name).collect(Collectors.toList());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new OperatorException(
                    "could not create topics on Kafka at "
                            + bootstrapServers
                            + ": "
                            + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("interrupted while creating topics");
        }
    }

    /**
     * The create requests for the specs not in {@code existing} on a cluster of {@code brokers}:
     * replication {@code min(3, brokers)}, and {@code min.insync.replicas} 2 from three replicas
     * on.
     */
    static List<NewTopic> missingTopics(List<TopicSpec> specs, Set<String> existing, int brokers) {
        short replication = (short) Math.max(1, Math.min(MAX_REPLICATION, brokers));
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (!existing.contains(spec.name())) {
                NewTopic topic = spec.newTopic(replication);
                if (replication >= MAX_REPLICATION) {
                    Map<String, String> configs = new HashMap<>();
                    if (topic.configs() != null) {
                        configs.putAll(topic.configs());
                    }
                    configs.putIfAbsent(MIN_INSYNC_REPLICAS, String.valueOf(replication - 1));
                    topic.configs(configs);
                }
                missing.add(topic);
            }
        }
        return missing;
    }

    /**
     * The node's topics as they are on the cluster: name to partition count (absent ones omitted).
     */
    public static Map<String, Integer> describe(String bootstrapServers, List<String> names) {
        return describe(bootstrapServers, names, Map.of());
    }

    /** As {@link #describe(String, List)}, as a client with {@code clientProperties}. */
    public static Map<String, Integer> describe(
            String bootstrapServers, List<String> names, Map<String, String> clientProperties) {
        try (Admin admin = Admin.create(adminConfig(bootstrapServers, clientProperties))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> present = names.stream().filter(existing::contains).toList();
            return admin
                    .describeTopics(present)
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .entrySet()
                    .stream()
                    .collect(
                            Collectors.toMap(
                                    Map.Entry::getKey, e -> e.getValue().partitions().size()));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new OperatorException(
                    "could not read topics from Kafka at "
                            + bootstrapServers
                            + ": "
                            + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("interrupted while reading topics");
        }
    }

    private static Map<String, Object> adminConfig(
            String bootstrapServers, Map<String, String> clientProperties) {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        config.putAll(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }
}
