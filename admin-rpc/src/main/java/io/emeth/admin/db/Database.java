package io.emeth.admin.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.emeth.common.config.ExternalDb;
import io.emeth.common.config.MasterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The database of the JDBC sink and the read API: a SQLite file by default, MySQL/MariaDB when
 * {@code external_db} is set. Connections come from a small HikariCP pool (the sink keeps one busy,
 * HTTP reads and CLI commands borrow briefly) with bounded waits everywhere: {@value
 * #CONNECTION_TIMEOUT_MS} ms to get a connection, {@value #CONNECT_TIMEOUT_MS} ms to connect and
 * {@value #SOCKET_TIMEOUT_MS} ms for any answer from MariaDB, so that a database that stops
 * answering fails the sink's batch (which is then retried) instead of hanging it.
 *
 * <p>{@link #toString()} names the database without its password.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int POOL_SIZE = 4;
    private static final int VALIDATION_TIMEOUT_S = 2;
    private static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

    /** Longest wait for a pooled connection. */
    public static final int CONNECTION_TIMEOUT_MS = 10_000;

    /** Longest wait for MariaDB to accept a connection. */
    public static final int CONNECT_TIMEOUT_MS = 10_000;

    /** Longest wait for any answer from MariaDB (a statement, a commit). */
    public static final int SOCKET_TIMEOUT_MS = 60_000;

    /** Work done with a connection; may throw {@link SQLException}. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final Dialect dialect;
    private final HikariDataSource pool;
    private final String description;

    private Database(Dialect dialect, HikariConfig config, String description) {
        this.dialect = dialect;
        this.description = description;
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setValidationTimeout(VALIDATION_TIMEOUT_S * 1000L);
        // start even when the database is down; the sink retries and /health says DOWN
        config.setInitializationFailTimeout(-1);
        config.setPoolName("emeth-db");
        config.setRegisterMbeans(false);
        this.pool = new HikariDataSource(config);
    }

    /**
     * The sink's database as {@code config} names it: {@code external_db} or {@code sqlite_path}.
     */
    public static Database forConfig(MasterConfig config) {
        return config.externalDb()
                .map(Database::mariadb)
                .orElseGet(() -> sqlite(config.sqlitePath()));
    }

    /**
     * A SQLite file (created with its folder when missing), in WAL mode so that readers never block
     * the sink's writes.
     */
    public static Database sqlite(Path file) {
        Path absolute = file.toAbsolutePath();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create the folder of the SQLite database "
                            + absolute
                            + " (sqlite_path): "
                            + e.getMessage(),
                    e);
        }
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // WAL + NORMAL survives a process crash; a power cut may lose the last commit, which is
        // harmless here because the sink's offsets roll back with it
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + absolute);
        config.setDataSourceProperties(sqlite.toProperties());
        return new Database(Dialect.SQLITE, config, "sqlite:" + absolute);
    }

    /** The MySQL/MariaDB database of {@code external_db}. */
    public static Database mariadb(ExternalDb db) {
        return mariadb(db.jdbcUrl(), db.user(), db.password());
    }

    /** A MySQL/MariaDB database at a {@code jdbc:mariadb://} or {@code jdbc:mysql://} URL. */
    public static Database mariadb(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        String url =
                jdbcUrl.startsWith("jdbc:mysql:")
                        ? "jdbc:mariadb:" + jdbcUrl.substring(11)
                        : jdbcUrl;
        if (!url.startsWith("jdbc:mariadb:")) {
            throw new IllegalArgumentException(
                    "not a MySQL/MariaDB JDBC URL: "
                            + stripQuery(url)
                            + "; expected jdbc:mariadb://host:port/database");
        }
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MS));
        properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_MS));
        HikariConfig config = new HikariConfig();
        config.setDriverClassName("org.mariadb.jdbc.Driver");
        config.setJdbcUrl(url);
        config.setUsername(user == null ? "" : user);
        config.setPassword(password == null ? "" : password);
        config.setDataSourceProperties(properties);
        return new Database(Dialect.MARIADB, config, stripQuery(url) + " as " + user);
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The pool, for Flyway. */
    DataSource dataSource() {
        return pool;
    }

    /** Runs {@code work} on a connection in auto-commit mode. */
    public <T> T read(SqlWork<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return work.apply(connection);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     */
    public <T> T transaction(SqlWork<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            } finally {
                // the pool resets auto-commit too; a broken connection is evicted on close
                restoreAutoCommit(connection);
            }
        }
    }

    /** Whether a connection can be had and answers, for the health endpoint. */
    public boolean isReachable() {
        try {
            return read(c -> c.isValid(VALIDATION_TIMEOUT_S));
        } catch (SQLException e) {
            return false;
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("Rollback failed [error:{}]", e.getMessage());
        }
    }

    private static void restoreAutoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("Restoring auto-commit failed [error:{}]", e.getMessage());
        }
    }

    private static String stripQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return description;
    }
}
