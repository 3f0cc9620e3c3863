package io.emeth.deploy.topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.TopicSpec;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** What {@code emeth topics create} asks the cluster for, by cluster size. */
class TopicAdminTest {
    private final List<TopicSpec> specs = Topics.create(SerdeConfig.of("mock://topics")).specs();

    @Test
    void shouldCreateEveryMissingTopicOnThreeReplicasWithTwoInSyncOnAThreeBrokerCluster() {
        // Given a 3-broker cluster that already has job-status
        // When the missing topics are planned
        List<NewTopic> topics = TopicAdmin.missingTopics(specs, Set.of(Topics.JOB_STATUS), 3);

        // Then every other topic gets 3 replicas, min.insync.replicas 2 and its own spec
        assertThat(topics).hasSize(specs.size() - 1);
        assertThat(topics).extracting(NewTopic::name).doesNotContain(Topics.JOB_STATUS);
        for (NewTopic topic : topics) {
            TopicSpec spec =
                    specs.stream()
                            .filter(s -> s.name().equals(topic.name()))
                            .findFirst()
                            .orElseThrow();
            assertThat(topic.replicationFactor()).isEqualTo((short) 3);
            assertThat(topic.numPartitions()).isEqualTo(spec.partitions());
            assertThat(topic.configs())
                    .containsEntry("min.insync.replicas", "2")
                    .containsAllEntriesOf(spec.configs());
        }
    }

    @Test
    void shouldKeepTheBrokerDefaultsOnASingleBrokerDevCluster() {
        List<NewTopic> topics = TopicAdmin.missingTopics(specs, Set.of(), 1);

        assertThat(topics).hasSize(specs.size());
        assertThat(topics)
                .allSatisfy(
                        t -> {
                            assertThat(t.replicationFactor()).isEqualTo((short) 1);
                            assertThat(t.configs()).doesNotContainKey("min.insync.replicas");
                        });
    }

    @Test
    void shouldCapReplicationAtThreeOnLargerClusters() {
        assertThat(TopicAdmin.missingTopics(specs, Set.of(), 5))
                .allSatisfy(t -> assertThat(t.replicationFactor()).isEqualTo((short) 3));
    }
}
