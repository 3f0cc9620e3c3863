package io.emeth.e2e.support;

import io.emeth.admin.db.Database;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the admin-rpc JDBC sink's SQLite file while the sink writes it (WAL: readers never block).
 */
public final class SinkTables implements AutoCloseable {
    private final Database database;

    private SinkTables(Database database) {
        this.database = database;
    }

    /** The database at the master config's {@code sqlite_path}. */
    public static SinkTables open(Path sqlitePath) {
        return new SinkTables(Database.sqlite(sqlitePath));
    }

    /** The rows {@code sql} selects, each a list of its column values. */
    public List<List<Object>> rows(String sql, Object... params) throws SQLException {
        return database.read(
                connection -> {
                    try (PreparedStatement statement = connection.prepareStatement(sql)) {
                        for (int i = 0; i < params.length; i++) {
                            statement.setObject(i + 1, params[i]);
                        }
                        List<List<Object>> rows = new ArrayList<>();
                        try (ResultSet rs = statement.executeQuery()) {
                            int columns = rs.getMetaData().getColumnCount();
                            while (rs.next()) {
                                List<Object> row = new ArrayList<>();
                                for (int c = 1; c <= columns; c++) {
                                    row.add(rs.getObject(c));
                                }
                                rows.add(row);
                            }
                        }
                        return rows;
                    }
                });
    }

    /** The single number {@code sql} selects. */
    public long number(String sql, Object... params) throws SQLException {
        return ((Number) rows(sql, params).get(0).get(0)).longValue();
    }

    @Override
    public void close() {
        database.close();
    }
}
