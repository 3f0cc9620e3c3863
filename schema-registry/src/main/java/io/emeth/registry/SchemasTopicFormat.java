package io.emeth.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.schemas.registry.CompatibilityLevel;
import io.emeth.schemas.registry.ConfigRecord;
import io.emeth.schemas.registry.SchemaRecord;
import java.util.Optional;

/**
 * The records of the {@code _schemas} topic in Confluent's format, so the topic reads the same as
 * one written by Confluent Schema Registry: JSON keys {@code {"keytype":"SCHEMA","subject":..,
 * "version":..,"magic":1}} and {@code {"keytype":"CONFIG","subject":..,"magic":0}} with JSON
 * values. Keys are written with a fixed field order because compaction compares their bytes.
 */
final class SchemasTopicFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemasTopicFormat() {}

    static String schemaKey(String subject, int version) {
        ObjectNode key = JSON.createObjectNode();
        key.put("keytype", "SCHEMA");
        key.put("subject", subject);
        key.put("version", version);
        key.put("magic", 1);
        return write(key);
    }

    static String schemaValue(SchemaRecord record) {
        ObjectNode value = JSON.createObjectNode();
        value.put("subject", record.subject());
        value.put("version", record.version());
        value.put("id", record.id());
        value.put("schema", record.schema());
        value.put("deleted", record.deleted());
        return write(value);
    }

    /** The key of a subject's level, or of the global level when {@code subject} is null. */
    static String configKey(String subject) {
        ObjectNode key = JSON.createObjectNode();
        key.put("keytype", "CONFIG");
        if (subject == null) {
            key.putNull("subject");
        } else {
            key.put("subject", subject);
        }
        key.put("magic", 0);
        return write(key);
    }

    static String configValue(CompatibilityLevel level) {
        ObjectNode value = JSON.createObjectNode();
        value.put("compatibilityLevel", level.name());
        return write(value);
    }

    /**
     * The registry change a topic record holds: a {@link SchemaRecord} or {@link ConfigRecord};
     * empty for record kinds this registry does not use (NOOP, MODE, DELETE_SUBJECT, …) and for
     * schema tombstones, which always follow a soft delete already applied.
     *
     * @throws IllegalArgumentException naming what is wrong with a malformed record
     */
    static Optional<Object> decode(String key, String value) {
        JsonNode keyNode = read(key, "key");
        String keyType = keyNode.path("keytype").asText("");
        switch (keyType) {
            case "SCHEMA":
                return value == null
                        ? Optional.empty()
                        : Optional.of(schemaRecord(read(value, "value")));
            case "CONFIG":
                return Optional.of(configRecord(keyNode, value));
            default:
                return Optional.empty();
        }
    }

    private static SchemaRecord schemaRecord(JsonNode value) {
        String subject = text(value, "subject");
        JsonNode version = value.path("version");
        JsonNode id = value.path("id");
        if (!version.canConvertToInt() || !id.canConvertToInt()) {
            throw new IllegalArgumentException(
                    "schema record without integer version and id: " + value);
        }
        return new SchemaRecord(
                subject,
                version.asInt(),
                id.asInt(),
                text(value, "schema"),
                value.path("deleted").asBoolean(false));
    }

    private static ConfigRecord configRecord(JsonNode key, String value) {
        JsonNode subjectNode = key.path("subject");
        String subject = subjectNode.isTextual() ? subjectNode.asText() : null;
        if (value == null) {
            return new ConfigRecord(subject, null);
        }
        JsonNode level = read(value, "value").path("compatibilityLevel");
        return new ConfigRecord(subject, CompatibilityLevel.parse(level.asText(null)));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(
                    "record without text field '" + field + "': " + node);
        }
        return value.asText();
    }

    private static JsonNode read(String json, String what) {
        if (json == null) {
            throw new IllegalArgumentException("record without " + what);
        }
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(what + " is not a JSON object: " + json);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a _schemas record", e);
        }
    }
}
