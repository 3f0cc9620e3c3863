package io.emeth.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.EventSamples.Sample;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.registry.InMemorySchemaRegistry;
import io.emeth.schemas.registry.SerdeConfig;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TopicsTest {
    private final String scope = "topics-test-" + UUID.randomUUID();
    private final Topics topics = Topics.create(SerdeConfig.of("mock://" + scope));

    @AfterEach
    void dropScope() {
        InMemorySchemaRegistry.dropScope(scope);
    }

    @Test
    void shouldListEveryTopicOfTheArchitectureOnceWithASpec() {
        assertThat(topics.all())
                .extracting(Topic::name)
                .containsExactly(
                        "chain-job-events",
                        "chain-node-events",
                        "indexer-checkpoints",
                        "chain-alerts",
                        "chain-commands",
                        "chain-tx-results",
                        "chain-tx-journal",
                        "worker-events",
                        "worker-assignments",
                        "training-events",
                        "admin-commands",
                        "job-status",
                        "worker-status");
        assertThat(topics.specs())
                .extracting(TopicSpec::name)
                .containsExactlyElementsOf(topics.all().stream().map(Topic::name).toList());
    }

    @Test
    void shouldCompactOnlyTheTablesAndCheckpoints() {
        Set<String> compacted =
                topics.specs().stream()
                        .filter(TopicSpec::compacted)
                        .map(TopicSpec::name)
                        .collect(Collectors.toSet());

        assertThat(compacted)
                .containsExactlyInAnyOrder(
                        "indexer-checkpoints", "chain-tx-journal", "job-status", "worker-status");
        assertThat(topics.spec(topics.chainJobEvents()).configs())
                .containsEntry("retention.ms", "-1");
        assertThat(topics.spec(topics.indexerCheckpoints()).partitions()).isEqualTo(1);
        assertThat(topics.spec(topics.jobStatus()).partitions())
                .isEqualTo(topics.spec(topics.chainJobEvents()).partitions());
    }

    @Test
    void shouldRoundTripEverySampleThroughItsTopicsSerde() {
        for (Sample sample : EventSamples.all()) {
            // Given the sample's topic
            Topic<String, ?> topic = topics.byName(sample.topic()).orElseThrow();

            // When written and read back through the topic's serdes
            Object back = roundTrip(topic, sample.value());

            // Then
            assertThat(back).as(sample.description()).isEqualTo(sample.value());
            assertThat(back.hashCode())
                    .as(sample.description())
                    .isEqualTo(sample.value().hashCode());
        }
        assertThat(topics.registry().subjects())
                .containsExactlyInAnyOrderElementsOf(
                        topics.all().stream().map(topic -> topic.name() + "-value").toList());
    }

    @Test
    void shouldHaveASampleForEveryPayloadBranchOfEveryEnvelope() {
        // Given every payload branch named by the topics' value schemas
        Set<String> branches = new HashSet<>();
        for (Topic<String, ?> topic : topics.all()) {
            Schema schema = valueSchema(topic);
            Schema.Field payload = schema.getField("payload");
            if (payload == null) {
                branches.add(schema.getFullName());
            } else {
                payload.schema().getTypes().forEach(branch -> branches.add(branch.getFullName()));
            }
        }

        // Then the samples cover exactly those
        Set<String> sampled = new HashSet<>();
        for (Sample sample : EventSamples.all()) {
            SpecificRecord value = sample.value();
            Schema.Field payload = value.getSchema().getField("payload");
            Object branch = payload == null ? value : value.get(payload.pos());
            sampled.add(((SpecificRecord) branch).getSchema().getFullName());
        }
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(branches);
    }

    @Test
    void shouldKeepUint256AmountsAboveTwoToTheSixtyThreeExact() {
        JobView view = EventSamples.jobView();

        JobView back = roundTrip(topics.jobStatus(), view);

        assertThat(back.getFee()).isEqualTo(EventSamples.MAX_UINT256);
        assertThat(back.getFee().toBigInteger().bitLength()).isEqualTo(256);
    }

    @Test
    void shouldRefuseAnAmountWithAFractionNamingTheTopic() {
        JobView view = EventSamples.jobView();
        view.setFee(new BigDecimal("1.5"));
        Serde<JobView> serde = topics.jobStatus().valueSerde();

        assertThatThrownBy(() -> serde.serializer().serialize("job-status", view))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic job-status")
                .hasMessageContaining("io.emeth.schemas.avro.view.JobView");
    }

    @Test
    void shouldPrefixEveryTopicNameAndSpecForATest() {
        Topics prefixed = Topics.create(SerdeConfig.of("mock://" + scope), "it-abc-");

        assertThat(prefixed.all())
                .allSatisfy(topic -> assertThat(topic.name()).startsWith("it-abc-"));
        assertThat(prefixed.specs())
                .allSatisfy(spec -> assertThat(spec.name()).startsWith("it-abc-"));
        assertThat(prefixed.byName("it-abc-job-status")).contains(prefixed.jobStatus());
        assertThat(prefixed.byName("job-status")).isEmpty();
    }

    @Test
    void shouldBuildAValueSerdeForStoresSharingTheRegistry() {
        Serde<IndexerCheckpoint> serde = topics.valueSerde(IndexerCheckpoint.class);

        byte[] bytes = serde.serializer().serialize("store-changelog", EventSamples.checkpoint());

        assertThat(topics.indexerCheckpoints().valueSerde().deserializer().deserialize("x", bytes))
                .isEqualTo(EventSamples.checkpoint());
    }

    @Test
    void shouldRequireTheRegistryUrlInKafkaStyleConfigs() {
        assertThatThrownBy(() -> Topics.create(Map.of()))
                .hasMessageContaining(SerdeConfig.REGISTRY_URL);
    }

    @Test
    void shouldRefuseAPartitionCountBelowOne() {
        assertThatThrownBy(() -> topics.spec(topics.jobStatus()).withPartitions(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job-status");
    }

    @SuppressWarnings("unchecked")
    private static <V> V roundTrip(Topic<String, V> topic, Object value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), (V) value);
        return topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
    }

    private static Schema valueSchema(Topic<String, ?> topic) {
        List<Sample> samples =
                EventSamples.all().stream()
                        .filter(sample -> sample.topic().equals(topic.name()))
                        .toList();
        assertThat(samples).as("samples of " + topic.name()).isNotEmpty();
        return samples.get(0).value().getSchema();
    }
}
