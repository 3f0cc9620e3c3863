package io.emeth.admin.db;

import java.sql.SQLException;
import java.util.List;

/**
 * The tables of the JDBC sink. The original node's tables keep their names and columns ({@code
 * jobs}, {@code contributions}, {@code workers}, {@code last_node_slot_index}); the others hold
 * what the job board shows beyond them, the training history and the sink's own Kafka offsets.
 * Times are epoch milliseconds, fees decimal strings of wei (they exceed 64 bits).
 */
public final class SinkSchema {
    /** Longest text kept in a free-text column; longer values are cut with an ellipsis. */
    public static final int TEXT_LIMIT = 2000;

    /** Longest name/URL kept (data set names, URLs, storage file names). */
    public static final int NAME_LIMIT = 512;

    /** Every migration, oldest first. */
    public static final List<Migration> MIGRATIONS =
            List.of(
                    new Migration(1, "original node tables", SinkSchema::originalTables),
                    new Migration(2, "job board, training log and sink offsets", SinkSchema::v2));

    private SinkSchema() {}

    /** Migrates {@code database} to the newest schema; returns its version. */
    public static int migrate(Database database) throws SQLException {
        return MigrationRunner.migrate(database, MIGRATIONS);
    }

    private static List<String> originalTables(Dialect d) {
        String o = d.tableOptions();
        return List.of(
                "CREATE TABLE IF NOT EXISTS jobs (job_id VARCHAR(66) NOT NULL PRIMARY KEY,"
                        + " data_size_mb BIGINT NOT NULL, program_id BIGINT NOT NULL,"
                        + " status INTEGER NOT NULL, num_attempt INTEGER NOT NULL)"
                        + o,
                "CREATE TABLE IF NOT EXISTS contributions (job_id VARCHAR(66) NOT NULL,"
                        + " num_attempt INTEGER NOT NULL, worker_address VARCHAR(42) NOT NULL,"
                        + " master_address VARCHAR(42), status INTEGER NOT NULL,"
                        + " started_at BIGINT, ended_at BIGINT, contribution INTEGER NOT NULL,"
                        + " PRIMARY KEY (job_id, num_attempt, worker_address))"
                        + o,
                "CREATE TABLE IF NOT EXISTS workers (url VARCHAR(512) NOT NULL PRIMARY KEY,"
                        + " address VARCHAR(42) NOT NULL, power_capacity BIGINT NOT NULL)"
                        + o,
                "CREATE TABLE IF NOT EXISTS last_node_slot_index (slot_index BIGINT NOT NULL)" + o);
    }

    private static List<String> v2(Dialect d) {
        String o = d.tableOptions();
        String dbl = d.doubleType();
        return List.of(
                "CREATE TABLE IF NOT EXISTS job_details (job_id VARCHAR(66) NOT NULL PRIMARY KEY,"
                        + " state VARCHAR(16) NOT NULL, chain_status INTEGER, fee VARCHAR(80) NOT"
                        + " NULL, deadline BIGINT NOT NULL, requested_at BIGINT, epoch INTEGER NOT"
                        + " NULL, epochs INTEGER NOT NULL, dataset_size_bytes BIGINT, program_id"
                        + " BIGINT NOT NULL, num_attempt INTEGER NOT NULL, owner VARCHAR(42),"
                        + " dataset VARCHAR(512), node VARCHAR(42), result_file_name VARCHAR(512),"
                        + " last_error VARCHAR(2000), updated_at BIGINT NOT NULL)"
                        + o,
                "CREATE TABLE IF NOT EXISTS worker_details (address VARCHAR(42) NOT NULL PRIMARY"
                        + " KEY, pool VARCHAR(42) NOT NULL, state VARCHAR(16) NOT NULL, phase"
                        + " VARCHAR(16) NOT NULL, power_capacity BIGINT NOT NULL, device"
                        + " VARCHAR(64) NOT NULL, url VARCHAR(512) NOT NULL, job_id VARCHAR(66),"
                        + " num_attempt INTEGER, epoch INTEGER, progress "
                        + dbl
                        + ", last_heartbeat_at BIGINT, last_error VARCHAR(2000), updated_at BIGINT"
                        + " NOT NULL)"
                        + o,
                "CREATE TABLE IF NOT EXISTS job_losses (job_id VARCHAR(66) NOT NULL, num_attempt"
                        + " INTEGER NOT NULL, epoch INTEGER NOT NULL, validation_loss "
                        + dbl
                        + " NOT NULL, PRIMARY KEY (job_id, num_attempt, epoch))"
                        + o,
                "CREATE TABLE IF NOT EXISTS training_log (id "
                        + d.autoIncrementKey()
                        + ", job_id VARCHAR(66) NOT NULL, num_attempt INTEGER NOT NULL,"
                        + " worker_address VARCHAR(42) NOT NULL, kind VARCHAR(24) NOT NULL, epoch"
                        + " INTEGER, loss "
                        + dbl
                        + ", detail VARCHAR(2000), at BIGINT NOT NULL"
                        // MySQL has no CREATE INDEX IF NOT EXISTS; SQLite no inline INDEX
                        + (d == Dialect.SQLITE ? "" : ", INDEX training_log_job (job_id)")
                        + ")"
                        + o,
                d == Dialect.SQLITE
                        ? "CREATE INDEX IF NOT EXISTS training_log_job ON training_log (job_id)"
                        : "SELECT 1",
                "CREATE TABLE IF NOT EXISTS sink_offsets (topic VARCHAR(249) NOT NULL,"
                        + " partition_id INTEGER NOT NULL, next_offset BIGINT NOT NULL, PRIMARY"
                        + " KEY (topic, partition_id))"
                        + o);
    }
}
