package io.emeth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.registry.CompatibilityLevel;
import io.emeth.schemas.registry.RestSchemaRegistryClient;
import io.emeth.schemas.registry.SchemaRegistryException;
import io.emeth.testkit.KafkaTestCluster;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/** Ids live in the compacted topic: a restarted registry on the same broker keeps them. */
class RegistryRestartIT {
    private final KafkaTestCluster kafka = KafkaTestCluster.shared();
    private final String topic = KafkaTestCluster.uniqueName("_schemas-restart");

    @Test
    void shouldKeepIdsVersionsAndLevelsAcrossARestartAndNeverReuseAnId() {
        // Given schemas registered with a first registry, which then stops
        int checkpointId;
        int viewId;
        try (SchemaRegistryServer first = start()) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(first.url());
            checkpointId = client.register("cp-value", IndexerCheckpoint.getClassSchema());
            viewId = client.register("jv-value", JobView.getClassSchema());
            client.setSubjectCompatibility("jv-value", CompatibilityLevel.FULL);
        }

        // When a new registry starts on the same broker and topic
        try (SchemaRegistryServer second = start()) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(second.url());

            // Then the same schema gets the same id, fetching by id works, levels are kept
            assertThat(client.register("cp-value", IndexerCheckpoint.getClassSchema()))
                    .isEqualTo(checkpointId);
            assertThat(client.schemaById(viewId)).isEqualTo(JobView.getClassSchema());
            assertThat(client.latest("jv-value").version()).isEqualTo(1);
            assertThat(client.subjectCompatibility("jv-value")).contains(CompatibilityLevel.FULL);
            assertThat(client.subjects()).containsExactlyInAnyOrder("cp-value", "jv-value");

            // and a new schema gets a fresh id
            int fresh = client.register("wv-value", WorkerView.getClassSchema());
            assertThat(fresh).isGreaterThan(Math.max(checkpointId, viewId));
        }
    }

    @Test
    void shouldCreateItsTopicCompactedWithOnePartition() throws Exception {
        try (SchemaRegistryServer registry = start();
                Admin admin = Admin.create(kafka.clientProperties())) {
            TopicDescription description =
                    admin.describeTopics(java.util.List.of(topic))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(topic);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            String policy =
                    admin.describeConfigs(java.util.List.of(resource))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(resource)
                            .get("cleanup.policy")
                            .value();

            assertThat(description.partitions()).hasSize(1);
            assertThat(policy).isEqualTo("compact");
        }
    }

    @Test
    void shouldFenceAnOlderRegistryOnTheSameTopicSoIdsAreNeverAssignedTwice() {
        // Given two registries on one topic, the second started later
        try (SchemaRegistryServer older = start();
                SchemaRegistryServer newer = start()) {
            RestSchemaRegistryClient olderClient = new RestSchemaRegistryClient(older.url());
            RestSchemaRegistryClient newerClient = new RestSchemaRegistryClient(newer.url());

            // When both try to register
            int id = newerClient.register("a-value", IndexerCheckpoint.getClassSchema());

            // Then only the newer one writes; the older refuses with a store error
            assertThat(id).isPositive();
            assertThatThrownBy(() -> olderClient.register("b-value", WorkerView.getClassSchema()))
                    .asInstanceOf(InstanceOfAssertFactories.type(SchemaRegistryException.class))
                    .satisfies(
                            e -> {
                                assertThat(e.httpStatus()).isEqualTo(500);
                                assertThat(e.errorCode()).isEqualTo(50001);
                                assertThat(e.getMessage()).contains("fenced").contains(topic);
                            });
        }
    }

    @Test
    void shouldRefuseATopicWithMoreThanOnePartitionNamingIt() {
        String wide = KafkaTestCluster.uniqueName("_schemas-wide");
        kafka.createTopics(3, wide);

        assertThatThrownBy(
                        () ->
                                SchemaRegistryServer.start(
                                        SchemaRegistryServer.Settings.defaults(
                                                        kafka.bootstrapServers())
                                                .withTopic(wide)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(wide)
                .hasMessageContaining("3 partitions");
    }

    @Test
    void shouldNameThePortWhenItIsTaken() {
        try (SchemaRegistryServer first = start()) {
            assertThatThrownBy(
                            () ->
                                    SchemaRegistryServer.start(
                                            SchemaRegistryServer.Settings.defaults(
                                                            kafka.bootstrapServers())
                                                    .withTopic(
                                                            KafkaTestCluster.uniqueName(
                                                                    "_schemas-port"))
                                                    .withPort(first.port())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + first.port())
                    .hasMessageContaining("port in use");
        }
    }

    private SchemaRegistryServer start() {
        return SchemaRegistryServer.start(
                SchemaRegistryServer.Settings.defaults(kafka.bootstrapServers()).withTopic(topic));
    }
}
