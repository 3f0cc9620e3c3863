package io.emeth.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.EventSamples;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SpecificAvroSerializerTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldNameTopicSubjectAndStatusWhenTheRegistryRefusesTheSchema() {
        // Given the subject holds a schema the checkpoint class cannot evolve from
        Schema other =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"IndexerCheckpoint\",\"namespace\":"
                                        + "\"io.emeth.schemas.avro.chain\",\"fields\":[{\"name\":"
                                        + "\"blockNumber\",\"type\":\"string\"}]}");
        registry.register("cp-value", other);
        SpecificAvroSerializer<IndexerCheckpoint> serializer =
                new SpecificAvroSerializer<>(registry, true, false);

        // Then
        assertThatThrownBy(() -> serializer.serialize("cp", EventSamples.checkpoint()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic cp")
                .hasMessageContaining("could not register")
                .hasMessageContaining("subject cp-value")
                .hasMessageContaining("HTTP 409");
    }

    @Test
    void shouldOnlyLookUpWhenAutoRegisterIsOff() {
        SpecificAvroSerializer<IndexerCheckpoint> serializer =
                new SpecificAvroSerializer<>(registry, false, false);

        // not registered: refused with the lookup's 404
        assertThatThrownBy(() -> serializer.serialize("cp", EventSamples.checkpoint()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("could not look up")
                .hasMessageContaining("error_code 40401");

        // registered beforehand: written with that id
        int id = registry.register("cp-value", IndexerCheckpoint.getClassSchema());
        assertThat(serializer.serialize("cp", EventSamples.checkpoint())[4]).isEqualTo((byte) id);
        assertThat(registry.versions("cp-value")).containsExactly(1);
    }

    @Test
    void shouldRegisterKeysUnderTheKeySubject() {
        new SpecificAvroSerializer<IndexerCheckpoint>(registry, true, true)
                .serialize("cp", EventSamples.checkpoint());

        assertThat(registry.subjects()).containsExactly("cp-key");
    }

    @Test
    void shouldRefuseARecordWithAMissingRequiredFieldNamingTheTopic() {
        IndexerCheckpoint broken = EventSamples.checkpoint();
        broken.setBlockHash(null);
        SpecificAvroSerializer<IndexerCheckpoint> serializer =
                new SpecificAvroSerializer<>(registry, true, false);

        assertThatThrownBy(() -> serializer.serialize("cp", broken))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic cp")
                .hasMessageContaining(
                        "could not encode io.emeth.schemas.avro.chain.IndexerCheckpoint");
    }

    @Test
    void shouldWorkWhenKafkaBuildsItFromConfigs() {
        String scope = "serializer-configs";
        Map<String, Object> configs = SerdeConfig.of("mock://" + scope).toMap();
        SpecificAvroSerde<IndexerCheckpoint> serde = new SpecificAvroSerde<>();
        serde.configure(configs, false);
        try {
            byte[] bytes = serde.serializer().serialize("cp", EventSamples.checkpoint());

            assertThat(serde.deserializer().deserialize("cp", bytes))
                    .isEqualTo(EventSamples.checkpoint());
            assertThat(InMemorySchemaRegistry.forScope(scope).subjects())
                    .containsExactly("cp-value");
        } finally {
            InMemorySchemaRegistry.dropScope(scope);
        }
    }

    @Test
    void shouldTellAnUnconfiguredSerdeWhatIsMissing() {
        assertThatThrownBy(
                        () ->
                                new SpecificAvroSerializer<IndexerCheckpoint>()
                                        .serialize("cp", EventSamples.checkpoint()))
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(
                        () ->
                                new SpecificAvroDeserializer<IndexerCheckpoint>()
                                        .deserialize("cp", new byte[5]))
                .hasMessageContaining("schema.registry.url");
    }
}
