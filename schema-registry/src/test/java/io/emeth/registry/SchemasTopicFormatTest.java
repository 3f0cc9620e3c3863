package io.emeth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.registry.CompatibilityLevel;
import io.emeth.schemas.registry.ConfigRecord;
import io.emeth.schemas.registry.SchemaRecord;
import org.junit.jupiter.api.Test;

class SchemasTopicFormatTest {

    @Test
    void shouldWriteKeysAsConfluentDoesWithAFixedFieldOrder() {
        assertThat(SchemasTopicFormat.schemaKey("s-value", 3))
                .isEqualTo(
                        "{\"keytype\":\"SCHEMA\",\"subject\":\"s-value\",\"version\":3,\"magic\":1}");
        assertThat(SchemasTopicFormat.configKey(null))
                .isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
        assertThat(SchemasTopicFormat.configKey("s"))
                .isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":\"s\",\"magic\":0}");
    }

    @Test
    void shouldReadBackWhatItWrites() {
        SchemaRecord record = new SchemaRecord("s-value", 2, 7, "\"string\"", false);

        assertThat(
                        SchemasTopicFormat.decode(
                                SchemasTopicFormat.schemaKey("s-value", 2),
                                SchemasTopicFormat.schemaValue(record)))
                .contains(record);
        assertThat(
                        SchemasTopicFormat.decode(
                                SchemasTopicFormat.configKey("s"),
                                SchemasTopicFormat.configValue(CompatibilityLevel.FULL)))
                .contains(new ConfigRecord("s", CompatibilityLevel.FULL));
        assertThat(SchemasTopicFormat.decode(SchemasTopicFormat.configKey("s"), null))
                .contains(new ConfigRecord("s", null));
    }

    @Test
    void shouldReadARecordWrittenByConfluentsRegistry() {
        String key =
                "{\"subject\":\"orders-value\",\"version\":1,\"magic\":1,\"keytype\":\"SCHEMA\"}";
        String value =
                "{\"subject\":\"orders-value\",\"version\":1,\"id\":100001,"
                        + "\"schema\":\"\\\"long\\\"\",\"deleted\":false,\"schemaType\":\"AVRO\"}";

        assertThat(SchemasTopicFormat.decode(key, value))
                .contains(new SchemaRecord("orders-value", 1, 100001, "\"long\"", false));
    }

    @Test
    void shouldIgnoreRecordKindsItDoesNotUse() {
        assertThat(SchemasTopicFormat.decode("{\"keytype\":\"NOOP\",\"magic\":0}", null)).isEmpty();
        assertThat(
                        SchemasTopicFormat.decode(
                                "{\"keytype\":\"MODE\",\"magic\":0}", "{\"mode\":\"READONLY\"}"))
                .isEmpty();
        assertThat(SchemasTopicFormat.decode(SchemasTopicFormat.schemaKey("s", 1), null)).isEmpty();
    }

    @Test
    void shouldNameWhatIsWrongWithAMalformedRecord() {
        assertThatThrownBy(() -> SchemasTopicFormat.decode("not json", "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key is not JSON");
        assertThatThrownBy(
                        () ->
                                SchemasTopicFormat.decode(
                                        SchemasTopicFormat.schemaKey("s", 1),
                                        "{\"subject\":\"s\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("integer version and id");
        assertThatThrownBy(
                        () ->
                                SchemasTopicFormat.decode(
                                        SchemasTopicFormat.configKey(null),
                                        "{\"compatibilityLevel\":\"SIDEWAYS\"}"))
                .hasMessageContaining("SIDEWAYS");
    }
}
