package io.emeth.master.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.master.InternalTopics;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.KafkaTestCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The master's start-up check of its internal topics on the real broker. */
class InternalTopicsIT {
    private final KafkaTestCluster kafka = KafkaTestCluster.shared();

    @Test
    void shouldCreateTheInboxesWithTheJobTopicsPartitionCount() throws Exception {
        // Given the pipeline's topics (6 partitions each) and no inbox yet
        String prefix = "InternalTopicsIT-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = Topics.create(SerdeConfig.of("mock://" + prefix), prefix);
        MasterStreamsConfig config = TestConfigs.config("nvm").withTopicPrefix(prefix);
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            createPipeline(admin, topics);

            // When the master prepares its topics
            InternalTopics.prepare(admin, config, topics);

            // Then both inboxes and the dead-letter topic exist, the inboxes with 6 partitions
            List<String> names =
                    List.of(
                            InternalTopics.poolInbox(config, topics),
                            InternalTopics.jobInbox(config, topics),
                            InternalTopics.deadLetters(topics));
            Map<String, TopicDescription> described = new HashMap<>();
            Awaitility.await("the new topics' metadata")
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(
                            () -> {
                                described.putAll(
                                        admin.describeTopics(names)
                                                .allTopicNames()
                                                .get(10, TimeUnit.SECONDS));
                                return described.size() == names.size();
                            });
            assertThat(described.get(InternalTopics.poolInbox(config, topics)).partitions())
                    .hasSize(Topics.DEFAULT_PARTITIONS);
            assertThat(described.get(InternalTopics.jobInbox(config, topics)).partitions())
                    .hasSize(Topics.DEFAULT_PARTITIONS);
        }
    }

    @Test
    void shouldRefuseToStartWhenThePoolInboxHasAnotherPartitionCount() throws Exception {
        // Given the pipeline's topics and a pool inbox someone created with 2 partitions
        String prefix = "InternalTopicsIT-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = Topics.create(SerdeConfig.of("mock://" + prefix), prefix);
        MasterStreamsConfig config = TestConfigs.config("nvm").withTopicPrefix(prefix);
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            createPipeline(admin, topics);
            String inbox = InternalTopics.poolInbox(config, topics);
            admin.createTopics(List.of(new NewTopic(inbox, Optional.of(2), Optional.empty())))
                    .all()
                    .get(60, TimeUnit.SECONDS);

            // When the master prepares its topics, then it stops with an error naming the fix
            assertThatThrownBy(() -> InternalTopics.prepare(admin, config, topics))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(inbox)
                    .hasMessageContaining("has 2 partitions")
                    .hasMessageContaining("have " + Topics.DEFAULT_PARTITIONS)
                    .hasMessageContaining("Resetting the master");
        }
    }

    private static void createPipeline(Admin admin, Topics topics) throws Exception {
        admin.createTopics(topics.specs().stream().map(s -> s.newTopic((short) 1)).toList())
                .all()
                .get(60, TimeUnit.SECONDS);
    }
}
