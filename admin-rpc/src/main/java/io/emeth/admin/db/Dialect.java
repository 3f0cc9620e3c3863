package io.emeth.admin.db;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL that differs between the two databases the sink supports: SQLite (the default, a file
 * next to the node) and MySQL/MariaDB ({@code external_db}). Everything else the module writes is
 * portable SQL.
 */
public enum Dialect {
    SQLITE,
    MARIADB;

    /**
     * An idempotent insert-or-update of one row: {@code key} columns identify the row, {@code
     * values} are overwritten when it exists. Parameters are the key columns, then the values.
     */
    public String upsert(String table, List<String> key, List<String> values) {
        String columns = String.join(", ", concat(key, values));
        String marks = concat(key, values).stream().map(c -> "?").collect(Collectors.joining(", "));
        String insert = "INSERT INTO " + table + " (" + columns + ") VALUES (" + marks + ")";
        if (values.isEmpty()) {
            return this == SQLITE
                    ? insert + " ON CONFLICT (" + String.join(", ", key) + ") DO NOTHING"
                    : "INSERT IGNORE" + insert.substring("INSERT".length());
        }
        return switch (this) {
            case SQLITE ->
                    insert
                            + " ON CONFLICT ("
                            + String.join(", ", key)
                            + ") DO UPDATE SET "
                            + values.stream()
                                    .map(c -> c + " = excluded." + c)
                                    .collect(Collectors.joining(", "));
            case MARIADB ->
                    insert
                            + " ON DUPLICATE KEY UPDATE "
                            + values.stream()
                                    .map(c -> c + " = VALUES(" + c + ")")
                                    .collect(Collectors.joining(", "));
        };
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
