package io.emeth.admin.sink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One change to one row that a consumed record causes: an idempotent upsert by primary key, an
 * append to a history table, or a delete by key. The projections produce these as plain data, so
 * that what a record does to the tables is unit-tested without a database.
 */
public record RowChange(
        Kind kind,
        String table,
        List<String> keyColumns,
        List<String> valueColumns,
        List<Object> values) {

    /** What to do with the row. */
    public enum Kind {
        /** Insert, or overwrite the value columns of the row with the same key. */
        UPSERT,
        /** Append a row (history tables; relies on the offsets for exactly-once). */
        INSERT,
        /** Delete the row with the key (a tombstone on a compacted topic). */
        DELETE
    }

    public RowChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(table, "table");
        keyColumns = List.copyOf(keyColumns);
        valueColumns = List.copyOf(valueColumns);
        // values may hold nulls (nullable columns), which List.copyOf refuses
        values = Collections.unmodifiableList(new ArrayList<>(values));
        int expected = keyColumns.size() + (kind == Kind.DELETE ? 0 : valueColumns.size());
        if (values.size() != expected) {
            throw new IllegalArgumentException(
                    table + ": " + values.size() + " values for " + expected + " columns");
        }
    }

    /** An upsert: {@code values} are the key columns' values, then the value columns'. */
    public static RowChange upsert(
            String table, List<String> keyColumns, List<String> valueColumns, Object... values) {
        return new RowChange(Kind.UPSERT, table, keyColumns, valueColumns, Arrays.asList(values));
    }

    /** An append of a row with these columns. */
    public static RowChange insert(String table, List<String> columns, Object... values) {
        return new RowChange(Kind.INSERT, table, List.of(), columns, Arrays.asList(values));
    }

    /** A delete of the row whose key columns hold {@code keyValues}. */
    public static RowChange delete(String table, List<String> keyColumns, Object... keyValues) {
        return new RowChange(Kind.DELETE, table, keyColumns, List.of(), Arrays.asList(keyValues));
    }

    /** The value of {@code column}, for tests and logs. */
    public Object get(String column) {
        int key = keyColumns.indexOf(column);
        if (key >= 0) {
            return values.get(key);
        }
        int value = valueColumns.indexOf(column);
        if (value < 0) {
            throw new IllegalArgumentException(table + " has no column " + column + " here");
        }
        return values.get(keyColumns.size() + value);
    }
}
