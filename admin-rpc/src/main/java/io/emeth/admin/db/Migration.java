package io.emeth.admin.db;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One versioned step of the schema: statements built for the target {@link Dialect}. A released
 * migration never changes; a schema change is a new version.
 *
 * @param version from 1, applied in order, each once
 * @param description what it does, stored in {@code schema_version}
 * @param statements the DDL/DML for a dialect
 */
public record Migration(
        int version, String description, Function<Dialect, List<String>> statements) {
    public Migration {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(statements, "statements");
        if (version < 1) {
            throw new IllegalArgumentException("migration versions start at 1: " + version);
        }
    }
}
