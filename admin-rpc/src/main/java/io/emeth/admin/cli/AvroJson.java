package io.emeth.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Renders a decoded Avro value as plain JSON for people and {@code jq}: records as objects (a
 * record chosen in a union carries {@code "@type": "ShardTrained"} first), enums as their names,
 * timestamps as ISO-8601 text, decimals (wei) as decimal strings (a JSON number would lose digits
 * beyond 2^53 in most readers), bytes as {@code 0x} hex, non-finite doubles as text. Unlike Avro's
 * own JSON encoding, no union wrappers.
 */
public final class AvroJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    private AvroJson() {}

    /** The JSON of a record decoded from a topic. */
    public static JsonNode toJson(IndexedRecord record) {
        return record == null ? JSON.nullNode() : value(record, record.getSchema(), false);
    }

    private static JsonNode value(Object datum, Schema schema, boolean inUnion) {
        if (datum == null) {
            return JSON.nullNode();
        }
        return switch (schema.getType()) {
            case RECORD -> record((IndexedRecord) datum, schema, inUnion);
            case UNION -> value(datum, branch(schema, datum), true);
            case ARRAY -> {
                ArrayNode array = JSON.arrayNode();
                Schema items = schema.getElementType();
                for (Object item : (List<?>) datum) {
                    array.add(value(item, items, false));
                }
                yield array;
            }
            case MAP -> {
                ObjectNode map = JSON.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) datum).entrySet()) {
                    map.set(
                            e.getKey().toString(),
                            value(e.getValue(), schema.getValueType(), false));
                }
                yield map;
            }
            case ENUM, STRING -> JSON.textNode(datum.toString());
            case BYTES -> bytes(datum);
            case FIXED -> JSON.textNode("0x" + HEX.formatHex(((GenericFixed) datum).bytes()));
            case LONG ->
                    datum instanceof Instant i
                            ? JSON.textNode(i.toString())
                            : JSON.numberNode((Long) datum);
            case INT -> JSON.numberNode(((Number) datum).intValue());
            case FLOAT, DOUBLE -> {
                double d = ((Number) datum).doubleValue();
                yield Double.isFinite(d) ? JSON.numberNode(d) : JSON.textNode(Double.toString(d));
            }
            case BOOLEAN -> JSON.booleanNode((Boolean) datum);
            case NULL -> JSON.nullNode();
        };
    }

    private static ObjectNode record(IndexedRecord record, Schema schema, boolean inUnion) {
        ObjectNode node = JSON.objectNode();
        if (inUnion) {
            node.put("@type", schema.getName());
        }
        for (Schema.Field field : schema.getFields()) {
            node.set(field.name(), value(record.get(field.pos()), field.schema(), false));
        }
        return node;
    }

    private static JsonNode bytes(Object datum) {
        if (datum instanceof BigDecimal decimal) {
            return JSON.textNode(decimal.toPlainString());
        }
        ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return JSON.textNode("0x" + HEX.formatHex(bytes));
    }

    /** The branch of {@code union} that holds {@code datum}. */
    static Schema branch(Schema union, Object datum) {
        for (Schema candidate : union.getTypes()) {
            if (matches(candidate, datum)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException(
                "no branch of " + union + " holds a " + datum.getClass().getName());
    }

    private static boolean matches(Schema schema, Object datum) {
        return switch (schema.getType()) {
            case NULL -> datum == null;
            // generated records, enums and fixed types are all GenericContainers
            case RECORD, ENUM, FIXED ->
                    datum instanceof GenericContainer c
                            && c.getSchema().getFullName().equals(schema.getFullName());
            case STRING -> datum instanceof CharSequence;
            case BYTES ->
                    datum instanceof ByteBuffer
                            || (datum instanceof BigDecimal
                                    && schema.getLogicalType() instanceof LogicalTypes.Decimal);
            case LONG -> datum instanceof Long || datum instanceof Instant;
            case INT -> datum instanceof Integer;
            case DOUBLE -> datum instanceof Double;
            case FLOAT -> datum instanceof Float;
            case BOOLEAN -> datum instanceof Boolean;
            case ARRAY -> datum instanceof List;
            case MAP -> datum instanceof Map;
            case UNION -> false;
        };
    }
}
