package io.emeth.deploy.topics;

import io.emeth.deploy.OperatorException;
import io.emeth.schemas.TopicSpec;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import java.util.ArrayList;
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
 * leaving existing ones alone; the replication factor follows the cluster's size (at most 3).
 */
public final class TopicAdmin {
    private TopicAdmin() {}

    /** Creates the missing topics and returns the names it created. */
    public static List<String> createMissing(String bootstrapServers, String registryUrl) {
        Topics topics = Topics.create(SerdeConfig.of(registryUrl));
        try (Admin admin = Admin.create(adminConfig(bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            short replication = (short) Math.min(3, brokers);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec spec : topics.specs()) {
                if (!existing.contains(spec.name())) {
                    missing.add(spec.newTopic(replication));
                }
            }
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
     * The node's topics as they are on the cluster: name to partition count (absent ones omitted).
     */
    public static Map<String, Integer> describe(String bootstrapServers, List<String> names) {
        try (Admin admin = Admin.create(adminConfig(bootstrapServers))) {
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

    private static Map<String, Object> adminConfig(String bootstrapServers) {
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    }
}
