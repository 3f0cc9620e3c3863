package io.emeth.admin.sink;

import io.emeth.admin.db.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Executes {@link RowChange}s on one connection inside the sink's open transaction, preparing each
 * distinct statement once per transaction. Also reads and writes the sink's Kafka offsets, which
 * live in the same database so that they commit together with the rows.
 */
final class SinkWriter implements AutoCloseable {
    static final String OFFSETS = "sink_offsets";
    static final String REJECTS = "sink_rejects";

    private final Connection connection;
    private final Dialect dialect;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    SinkWriter(Connection connection, Dialect dialect) {
        this.connection = connection;
        this.dialect = dialect;
    }

    /** Applies the changes of one record. */
    void apply(List<RowChange> changes) throws SQLException {
        for (RowChange change : changes) {
            PreparedStatement statement = statement(sql(change));
            for (int i = 0; i < change.values().size(); i++) {
                bind(statement, i + 1, change.values().get(i));
            }
            statement.executeUpdate();
        }
    }

    /**
     * Applies one record's changes so that a failure undoes only them: the rest of the batch stays.
     *
     * @return whether they were applied
     */
    boolean applyIsolated(List<RowChange> changes) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            apply(changes);
            connection.releaseSavepoint(savepoint);
            return true;
        } catch (SQLException e) {
            connection.rollback(savepoint);
            throw e;
        }
    }

    /** Records that everything before {@code nextOffset} of the partition is applied. */
    void storeOffset(String topic, int partition, long nextOffset) throws SQLException {
        apply(
                List.of(
                        RowChange.upsert(
                                OFFSETS,
                                List.of("topic", "partition_id"),
                                List.of("next_offset"),
                                topic,
                                partition,
                                nextOffset)));
    }

    /** Records a bad record with its raw bytes; a repeated reject of it overwrites the first. */
    void storeReject(
            String topic, int partition, long offset, String error, byte[] key, byte[] value)
            throws SQLException {
        apply(
                List.of(
                        RowChange.upsert(
                                REJECTS,
                                List.of("topic", "partition_id", "record_offset"),
                                List.of("error", "raw_key", "raw_value", "rejected_at"),
                                topic,
                                partition,
                                offset,
                                error,
                                key,
                                value,
                                System.currentTimeMillis())));
    }

    /**
     * Creates the offset row of each partition that has none (next offset 0: from the start), so
     * that a sink's first batch already locks a row and two sinks on one database serialise.
     */
    static void createOffsetRows(
            Connection connection, Dialect dialect, Map<String, List<Integer>> partitions)
            throws SQLException {
        String insert =
                "INSERT INTO " + OFFSETS + " (topic, partition_id, next_offset) VALUES (?, ?, ?)";
        String sql =
                dialect == Dialect.SQLITE
                        ? insert + " ON CONFLICT (topic, partition_id) DO NOTHING"
                        : insert + " ON DUPLICATE KEY UPDATE next_offset = next_offset";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Map.Entry<String, List<Integer>> topic : partitions.entrySet()) {
                for (int partition : topic.getValue()) {
                    statement.setString(1, topic.getKey());
                    statement.setInt(2, partition);
                    statement.setLong(3, 0L);
                    statement.executeUpdate();
                }
            }
        }
    }

    /** The stored next offset of every partition of {@code topic}. */
    static Map<Integer, Long> offsets(Connection connection, String topic) throws SQLException {
        return offsets(connection, topic, "");
    }

    /**
     * The stored next offsets of {@code topic}, locked until the transaction ends (MariaDB), so
     * that two sinks on one database cannot both apply the same records.
     */
    Map<Integer, Long> lockOffsets(String topic) throws SQLException {
        return offsets(connection, topic, dialect == Dialect.MARIADB ? " FOR UPDATE" : "");
    }

    private static Map<Integer, Long> offsets(Connection connection, String topic, String lock)
            throws SQLException {
        Map<Integer, Long> offsets = new HashMap<>();
        try (PreparedStatement statement =
                connection.prepareStatement(
                        "SELECT partition_id, next_offset FROM "
                                + OFFSETS
                                + " WHERE topic = ?"
                                + lock)) {
            statement.setString(1, topic);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    offsets.put(rows.getInt(1), rows.getLong(2));
                }
            }
        }
        return offsets;
    }

    private String sql(RowChange change) {
        return switch (change.kind()) {
            case UPSERT ->
                    dialect.upsert(change.table(), change.keyColumns(), change.valueColumns());
            case INSERT ->
                    "INSERT INTO "
                            + change.table()
                            + " ("
                            + String.join(", ", change.valueColumns())
                            + ") VALUES ("
                            + change.valueColumns().stream()
                                    .map(c -> "?")
                                    .collect(Collectors.joining(", "))
                            + ")";
            case DELETE ->
                    "DELETE FROM "
                            + change.table()
                            + " WHERE "
                            + change.keyColumns().stream()
                                    .map(c -> c + " = ?")
                                    .collect(Collectors.joining(" AND "));
        };
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    private static void bind(PreparedStatement statement, int index, Object value)
            throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof String s) {
            statement.setString(index, s);
        } else if (value instanceof Integer i) {
            statement.setInt(index, i);
        } else if (value instanceof Long l) {
            statement.setLong(index, l);
        } else if (value instanceof Double d) {
            statement.setDouble(index, d);
        } else if (value instanceof byte[] b) {
            statement.setBytes(index, b);
        } else {
            throw new IllegalArgumentException(
                    "cannot bind a " + value.getClass().getSimpleName() + " to a SQL parameter");
        }
    }

    @Override
    public void close() {
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                // closing a statement of a finished transaction; nothing to do
            }
        }
        statements.clear();
    }
}
