package io.emeth.admin.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database to the newest schema: applies each {@link Migration} above the version in
 * {@code schema_version}, in order, each once, recording it.
 *
 * <p>Hand-written instead of Flyway or Liquibase: the parent manages neither, Flyway needs a
 * separate module per database (flyway-mysql) and both bring far more than the dozen statements
 * this module runs. Two processes starting at once are serialised by a lock ({@code BEGIN
 * IMMEDIATE} on SQLite, {@code GET_LOCK} on MariaDB, whose DDL is not transactional), and each
 * statement is written to be re-runnable ({@code IF NOT EXISTS}), so a crash mid-migration is
 * repaired by the next start.
 */
public final class MigrationRunner {
    private static final Logger log = LoggerFactory.getLogger(MigrationRunner.class);
    private static final String LOCK_NAME = "emeth_admin_migrations";
    private static final int LOCK_TIMEOUT_S = 60;

    private MigrationRunner() {}

    /**
     * Applies the missing migrations.
     *
     * @return the schema version after migrating
     * @throws SQLException when a statement fails, or the database is newer than this build
     */
    public static int migrate(Database database, List<Migration> migrations) throws SQLException {
        checkOrder(migrations);
        return database.read(
                connection -> {
                    lock(database.dialect(), connection);
                    boolean done = false;
                    try {
                        int version = migrateLocked(database, connection, migrations);
                        done = true;
                        return version;
                    } finally {
                        unlock(database.dialect(), connection, done);
                    }
                });
    }

    private static int migrateLocked(
            Database database, Connection connection, List<Migration> migrations)
            throws SQLException {
        Dialect dialect = database.dialect();
        try (Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                            + " description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)"
                            + dialect.tableOptions());
        }
        int current = currentVersion(connection);
        int newest = migrations.isEmpty() ? 0 : migrations.get(migrations.size() - 1).version();
        if (current > newest) {
            throw new SQLException(
                    "the database "
                            + database
                            + " has schema version "
                            + current
                            + ", newer than this build's "
                            + newest
                            + "; run the newer emeth, or point the node at another database");
        }
        for (Migration migration : migrations) {
            if (migration.version() <= current) {
                continue;
            }
            for (String sql : migration.statements().apply(dialect)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(sql);
                }
            }
            try (PreparedStatement insert =
                    connection.prepareStatement(
                            "INSERT INTO schema_version (version, description, applied_at)"
                                    + " VALUES (?, ?, ?)")) {
                insert.setInt(1, migration.version());
                insert.setString(2, migration.description());
                insert.setLong(3, System.currentTimeMillis());
                insert.executeUpdate();
            }
            log.info(
                    "Applied migration [database:{}, version:{}, description:{}]",
                    database,
                    migration.version(),
                    migration.description());
            current = migration.version();
        }
        return current;
    }

    private static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }

    private static void lock(Dialect dialect, Connection connection) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            // SQLite's DDL is transactional: all pending migrations commit together, and a
            // second migrator waits on the write lock (busy timeout), then finds them applied
            execute(connection, "BEGIN IMMEDIATE");
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT GET_LOCK(?, ?)")) {
            statement.setString(1, LOCK_NAME);
            statement.setInt(2, LOCK_TIMEOUT_S);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next() || rows.getInt(1) != 1) {
                    throw new SQLException(
                            "another process holds the migration lock "
                                    + LOCK_NAME
                                    + " for more than "
                                    + LOCK_TIMEOUT_S
                                    + " s; is a stuck emeth admin-rpc running?");
                }
            }
        }
    }

    private static void unlock(Dialect dialect, Connection connection, boolean done)
            throws SQLException {
        if (dialect == Dialect.SQLITE) {
            execute(connection, done ? "COMMIT" : "ROLLBACK");
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            statement.setString(1, LOCK_NAME);
            statement.executeQuery().close();
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static void checkOrder(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException(
                        "migrations must be numbered 1, 2, 3, … without gaps; position "
                                + (i + 1)
                                + " holds version "
                                + migrations.get(i).version());
            }
        }
    }
}
