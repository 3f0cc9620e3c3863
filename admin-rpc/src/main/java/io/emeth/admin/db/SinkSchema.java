package io.emeth.admin.db;

import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of the JDBC sink, migrated by Flyway from the SQL files under {@code
 * io/emeth/admin/db/migration/<dialect>/}. V1 is the original node's tables as it created them, V2
 * alters them to what the sink writes, V3 adds the job board's tables, the training log and the
 * sink's offsets, V4 the rejected records.
 *
 * <p>A database that holds tables but no Flyway history (the original node's, or one an earlier
 * build migrated with its own runner) is <em>adopted</em>: baselined at version 0, so that every
 * migration runs on it; each is written to leave existing tables and rows in place ({@code IF NOT
 * EXISTS}, idempotent {@code ALTER}s, a copying rebuild on SQLite). A database whose history is
 * newer than this build is refused instead of being written with an older idea of its tables. Times
 * are epoch milliseconds, fees decimal strings of wei (they exceed 64 bits).
 */
public final class SinkSchema {
    private static final Logger log = LoggerFactory.getLogger(SinkSchema.class);

    /** Longest text kept in a free-text column; longer values are cut with an ellipsis. */
    public static final int TEXT_LIMIT = 2000;

    /** Longest name/URL kept (data set names, URLs, storage file names). */
    public static final int NAME_LIMIT = 512;

    /** The newest schema version this build migrates to. */
    public static final int VERSION = 4;

    /** Flyway's history table. */
    public static final String HISTORY_TABLE = "flyway_schema_history";

    private static final int ATTEMPTS = 3;

    private SinkSchema() {}

    /**
     * Migrates {@code database} to the newest schema, adopting an existing one; returns its
     * version.
     *
     * @throws SQLException naming the database when a migration fails or the database is newer
     */
    public static int migrate(Database database) throws SQLException {
        Flyway flyway =
                Flyway.configure(SinkSchema.class.getClassLoader())
                        .dataSource(database.dataSource())
                        .locations("classpath:io/emeth/admin/db/migration/" + folder(database))
                        .table(HISTORY_TABLE)
                        .baselineOnMigrate(true)
                        .baselineVersion("0")
                        .baselineDescription("adopted tables of an existing node")
                        // a migration applied by a newer build is an error, not something to skip
                        .ignoreMigrationPatterns(new String[0])
                        .loggers("slf4j")
                        .load();
        for (int attempt = 1; ; attempt++) {
            try {
                var result = flyway.migrate();
                if (result.migrationsExecuted > 0) {
                    log.info(
                            "Database migrated [database:{}, from:{}, to:{}, migrations:{}]",
                            database,
                            result.initialSchemaVersion,
                            result.targetSchemaVersion,
                            result.migrationsExecuted);
                }
                MigrationInfo current = flyway.info().current();
                return current == null ? 0 : Integer.parseInt(current.getVersion().getVersion());
            } catch (FlywayException e) {
                // two processes creating the history table at once: the loser finds it next time
                if (attempt >= ATTEMPTS || isNewerSchema(e)) {
                    throw new SQLException(
                            "cannot migrate the database " + database + ": " + e.getMessage(), e);
                }
                log.warn(
                        "Migrating the database failed, trying again [database:{}, attempt:{}]:"
                                + " {}",
                        database,
                        attempt,
                        e.getMessage());
            }
        }
    }

    private static boolean isNewerSchema(FlywayException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("not resolved locally") || message.contains("newer");
    }

    private static String folder(Database database) {
        return database.dialect() == Dialect.SQLITE ? "sqlite" : "mariadb";
    }
}
