package io.emeth.schemas.registry;

import java.util.Objects;

/**
 * One entry of a registry's durable log: {@code schema} (canonical JSON) is version {@code version}
 * of {@code subject} under global id {@code id}; {@code deleted} marks a soft-deleted version.
 */
public record SchemaRecord(String subject, int version, int id, String schema, boolean deleted) {
    public SchemaRecord {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
