package io.emeth.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Decides whether a new schema may follow earlier ones under a {@link CompatibilityLevel}, with
 * Avro's {@link SchemaCompatibility}, and explains every incompatibility in words an author can act
 * on. Used by the registries and by the build's check of the released schemas.
 */
public final class Compatibility {

    /** An earlier schema and how to name it in messages ("version 3", "released 0.1.0"). */
    public record Previous(String label, Schema schema) {}

    private Compatibility() {}

    /**
     * The incompatibilities of {@code candidate} with {@code previousOldestFirst} under the level;
     * empty when compatible. Non-transitive levels check only the last (latest) schema.
     */
    public static List<String> check(
            CompatibilityLevel level, Schema candidate, List<Previous> previousOldestFirst) {
        if (level == CompatibilityLevel.NONE || previousOldestFirst.isEmpty()) {
            return List.of();
        }
        List<Previous> against =
                level.transitive()
                        ? previousOldestFirst
                        : List.of(previousOldestFirst.get(previousOldestFirst.size() - 1));
        List<String> messages = new ArrayList<>();
        for (Previous previous : against) {
            if (level.backward()) {
                for (String problem : readerWriter(candidate, previous.schema())) {
                    messages.add(
                            "BACKWARD: the new schema cannot read data written with "
                                    + previous.label()
                                    + ": "
                                    + problem);
                }
            }
            if (level.forward()) {
                for (String problem : readerWriter(previous.schema(), candidate)) {
                    messages.add(
                            "FORWARD: "
                                    + previous.label()
                                    + " cannot read data written with the new schema: "
                                    + problem);
                }
            }
        }
        return messages;
    }

    /** Every reason why {@code reader} cannot read data written with {@code writer}. */
    public static List<String> readerWriter(Schema reader, Schema writer) {
        SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        List<String> problems = new ArrayList<>();
        for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            problems.add(describe(incompatibility));
        }
        return problems;
    }

    static String describe(Incompatibility incompatibility) {
        String message = incompatibility.getMessage();
        String explanation =
                switch (incompatibility.getType()) {
                    case READER_FIELD_MISSING_DEFAULT_VALUE ->
                            "field '"
                                    + message
                                    + "' has no default value, so data written without it cannot be read;"
                                    + " give it a default (a null-first union with default null for an"
                                    + " optional field)";
                    case MISSING_ENUM_SYMBOLS ->
                            "the reader's enum lacks the symbols "
                                    + message
                                    + "; keep them or give the enum a default symbol";
                    case MISSING_UNION_BRANCH ->
                            "the reader's union has no branch for " + message + "; keep the branch";
                    case TYPE_MISMATCH -> "the type changed incompatibly: " + message;
                    case NAME_MISMATCH ->
                            "the name changed: "
                                    + message
                                    + "; keep the name or add the old one as an alias";
                    case FIXED_SIZE_MISMATCH -> "the fixed size changed: " + message;
                    default -> message;
                };
        return incompatibility.getType()
                + " at "
                + incompatibility.getLocation()
                + ": "
                + explanation;
    }
}
