package io.emeth.admin.db;

import io.emeth.common.config.ExternalDb;
import io.emeth.common.config.MasterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The database of the JDBC sink and the read API: a SQLite file by default, MySQL/MariaDB when
 * {@code external_db} is set. Hands out connections from a small pool of idle ones (the sink keeps
 * one busy, HTTP reads and CLI commands borrow briefly), so no pool library is needed.
 *
 * <p>{@link #toString()} names the database without its password.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int MAX_IDLE = 4;
    private static final int VALIDATION_TIMEOUT_S = 2;
    private static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

    /** Work done with a connection; may throw {@link SQLException}. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final Dialect dialect;
    private final String url;
    private final Properties properties;
    private final String description;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    private Database(Dialect dialect, String url, Properties properties, String description) {
        this.dialect = dialect;
        this.url = url;
        this.properties = properties;
        this.description = description;
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
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // WAL + NORMAL survives a process crash; a power cut may lose the last commit, which is
        // harmless here because the sink's offsets roll back with it
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        return new Database(
                Dialect.SQLITE,
                "jdbc:sqlite:" + absolute,
                config.toProperties(),
                "sqlite:" + absolute);
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
        properties.setProperty("user", user == null ? "" : user);
        properties.setProperty("password", password == null ? "" : password);
        properties.setProperty("connectTimeout", "10000");
        return new Database(Dialect.MARIADB, url, properties, stripQuery(url) + " as " + user);
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Runs {@code work} on a connection in auto-commit mode. */
    public <T> T read(SqlWork<T> work) throws SQLException {
        Connection connection = borrow();
        boolean healthy = false;
        try {
            T result = work.apply(connection);
            healthy = true;
            return result;
        } finally {
            giveBack(connection, healthy);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     */
    public <T> T transaction(SqlWork<T> work) throws SQLException {
        Connection connection = borrow();
        boolean healthy = false;
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                healthy = true;
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        } finally {
            try {
                if (healthy) {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException e) {
                healthy = false;
            }
            giveBack(connection, healthy);
        }
    }

    /** Whether a connection can be opened and answers, for the health endpoint. */
    public boolean isReachable() {
        try {
            return read(c -> c.isValid(VALIDATION_TIMEOUT_S));
        } catch (SQLException e) {
            return false;
        }
    }

    private Connection borrow() throws SQLException {
        while (true) {
            Connection candidate;
            synchronized (this) {
                if (closed) {
                    throw new SQLException("the database " + description + " is closed");
                }
                candidate = idle.pollFirst();
            }
            if (candidate == null) {
                return DriverManager.getConnection(url, properties);
            }
            if (dialect == Dialect.SQLITE || candidate.isValid(VALIDATION_TIMEOUT_S)) {
                return candidate;
            }
            closeQuietly(candidate);
        }
    }

    private void giveBack(Connection connection, boolean healthy) {
        synchronized (this) {
            if (healthy && !closed && idle.size() < MAX_IDLE) {
                idle.addFirst(connection);
                return;
            }
        }
        closeQuietly(connection);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("Rollback failed [error:{}]", e.getMessage());
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("Closing a connection failed [error:{}]", e.getMessage());
        }
    }

    private static String stripQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    @Override
    public void close() {
        Deque<Connection> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            idle.clear();
        }
        toClose.forEach(Database::closeQuietly);
    }

    @Override
    public String toString() {
        return description;
    }
}
