package io.emeth.admin.read;

import io.emeth.admin.db.Database;
import io.emeth.admin.read.Views.Contribution;
import io.emeth.admin.read.Views.JobDetail;
import io.emeth.admin.read.Views.JobRow;
import io.emeth.admin.read.Views.JobSummary;
import io.emeth.admin.read.Views.LossPoint;
import io.emeth.admin.read.Views.TrainingLogEntry;
import io.emeth.admin.read.Views.WorkerRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Queries over the sink's tables for the operator commands, the JSON-RPC methods and the job board.
 * Read-only; ids must already be normalised (lower-case job ids, checksummed addresses).
 */
public final class ReadModel {
    /** Most jobs the board lists (newest first). */
    public static final int BOARD_JOB_LIMIT = 200;

    /** Most history lines returned for one job (newest). */
    public static final int HISTORY_LIMIT = 100;

    private static final String SUMMARY_COLUMNS =
            "job_id, state, chain_status, fee, deadline, requested_at, epoch, epochs,"
                    + " dataset_size_bytes, program_id, num_attempt, owner, dataset, node,"
                    + " result_file_name, last_error, updated_at";

    private final Database database;

    public ReadModel(Database database) {
        this.database = database;
    }

    /** This node's jobs (the original {@code jobs} table), oldest request first. */
    public List<JobRow> jobList() throws SQLException {
        return database.read(
                c ->
                        list(
                                c,
                                "SELECT j.job_id, j.status, j.data_size_mb, j.program_id,"
                                        + " j.num_attempt FROM jobs j LEFT JOIN job_details d ON"
                                        + " d.job_id = j.job_id ORDER BY COALESCE(d.requested_at,"
                                        + " 0), j.job_id",
                                List.of(),
                                r ->
                                        new JobRow(
                                                r.getString(1),
                                                r.getInt(2),
                                                r.getLong(3),
                                                r.getLong(4),
                                                r.getInt(5))));
    }

    /** The jobs the board shows, most recently updated first, with their loss curves. */
    public List<JobSummary> boardJobs() throws SQLException {
        return database.read(
                c -> {
                    List<JobSummary> bare =
                            list(
                                    c,
                                    "SELECT "
                                            + SUMMARY_COLUMNS
                                            + " FROM job_details ORDER BY updated_at DESC, job_id"
                                            + " LIMIT "
                                            + BOARD_JOB_LIMIT,
                                    List.of(),
                                    r -> summary(r, List.of()));
                    Map<String, List<LossPoint>> losses = new HashMap<>();
                    try (PreparedStatement s =
                                    c.prepareStatement(
                                            "SELECT l.job_id, l.num_attempt, l.epoch, l.validation_loss"
                                                    + " FROM job_losses l JOIN (SELECT job_id, num_attempt"
                                                    + " FROM job_details ORDER BY updated_at DESC, job_id"
                                                    + " LIMIT "
                                                    + BOARD_JOB_LIMIT
                                                    + ") d ON d.job_id = l.job_id AND d.num_attempt ="
                                                    + " l.num_attempt ORDER BY l.job_id, l.epoch");
                            ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            losses.computeIfAbsent(r.getString(1), k -> new ArrayList<>())
                                    .add(new LossPoint(r.getInt(2), r.getInt(3), r.getDouble(4)));
                        }
                    }
                    List<JobSummary> jobs = new ArrayList<>(bare.size());
                    for (JobSummary job : bare) {
                        jobs.add(withLosses(job, losses.getOrDefault(job.jobId(), List.of())));
                    }
                    return jobs;
                });
    }

    /** One job with its contributions (every attempt) and recent training history. */
    public Optional<JobDetail> job(String jobId) throws SQLException {
        return database.read(
                c -> {
                    List<JobSummary> found =
                            list(
                                    c,
                                    "SELECT "
                                            + SUMMARY_COLUMNS
                                            + " FROM job_details WHERE job_id = ?",
                                    List.of(jobId),
                                    r -> summary(r, List.of()));
                    if (found.isEmpty()) {
                        return Optional.empty();
                    }
                    JobSummary summary = found.get(0);
                    List<LossPoint> losses =
                            list(
                                    c,
                                    "SELECT num_attempt, epoch, validation_loss FROM job_losses"
                                            + " WHERE job_id = ? AND num_attempt = ? ORDER BY epoch",
                                    List.of(jobId, summary.numAttempt()),
                                    r -> new LossPoint(r.getInt(1), r.getInt(2), r.getDouble(3)));
                    return Optional.of(
                            new JobDetail(
                                    withLosses(summary, losses),
                                    contributions(c, jobId),
                                    history(c, jobId)));
                });
    }

    /** Every worker, by address. */
    public List<WorkerRow> workers() throws SQLException {
        return database.read(
                c -> list(c, workerQuery("") + " ORDER BY address", List.of(), ReadModel::worker));
    }

    /** The worker with this (checksummed) address. */
    public Optional<WorkerRow> worker(String address) throws SQLException {
        return database.read(
                c ->
                        list(
                                        c,
                                        workerQuery(" WHERE address = ?"),
                                        List.of(address),
                                        ReadModel::worker)
                                .stream()
                                .findFirst());
    }

    private static List<Contribution> contributions(Connection c, String jobId)
            throws SQLException {
        return list(
                c,
                "SELECT num_attempt, worker_address, master_address, status, started_at, ended_at,"
                        + " contribution FROM contributions WHERE job_id = ? ORDER BY num_attempt,"
                        + " worker_address",
                List.of(jobId),
                r ->
                        new Contribution(
                                r.getInt(1),
                                r.getString(2),
                                r.getString(3),
                                r.getInt(4),
                                nullableLong(r, 5),
                                nullableLong(r, 6),
                                r.getInt(7)));
    }

    private static List<TrainingLogEntry> history(Connection c, String jobId) throws SQLException {
        List<TrainingLogEntry> newestFirst =
                list(
                        c,
                        "SELECT num_attempt, worker_address, kind, epoch, loss, detail, at FROM"
                                + " training_log WHERE job_id = ? ORDER BY id DESC LIMIT "
                                + HISTORY_LIMIT,
                        List.of(jobId),
                        r ->
                                new TrainingLogEntry(
                                        r.getInt(1),
                                        r.getString(2),
                                        r.getString(3),
                                        nullableInt(r, 4),
                                        nullableDouble(r, 5),
                                        r.getString(6),
                                        r.getLong(7)));
        List<TrainingLogEntry> oldestFirst = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    private static String workerQuery(String where) {
        return "SELECT address, pool, state, phase, power_capacity, device, url, job_id,"
                + " num_attempt, epoch, progress, last_heartbeat_at, last_error, updated_at FROM"
                + " worker_details"
                + where;
    }

    private static WorkerRow worker(ResultSet r) throws SQLException {
        return new WorkerRow(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getLong(5),
                r.getString(6),
                r.getString(7),
                r.getString(8),
                nullableInt(r, 9),
                nullableInt(r, 10),
                nullableDouble(r, 11),
                nullableLong(r, 12),
                r.getString(13),
                r.getLong(14));
    }

    private static JobSummary summary(ResultSet r, List<LossPoint> losses) throws SQLException {
        return new JobSummary(
                r.getString(1),
                r.getString(2),
                nullableInt(r, 3),
                r.getString(4),
                r.getLong(5),
                nullableLong(r, 6),
                r.getInt(7),
                r.getInt(8),
                nullableLong(r, 9),
                r.getLong(10),
                r.getInt(11),
                r.getString(12),
                r.getString(13),
                r.getString(14),
                r.getString(15),
                r.getString(16),
                r.getLong(17),
                losses);
    }

    private static JobSummary withLosses(JobSummary s, List<LossPoint> losses) {
        return new JobSummary(
                s.jobId(),
                s.state(),
                s.chainStatus(),
                s.fee(),
                s.deadline(),
                s.requestedAt(),
                s.epoch(),
                s.epochs(),
                s.datasetSizeBytes(),
                s.programId(),
                s.numAttempt(),
                s.owner(),
                s.dataset(),
                s.node(),
                s.resultFileName(),
                s.lastError(),
                s.updatedAt(),
                losses);
    }

    /** Maps one result row. */
    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private static <T> List<T> list(
            Connection c, String sql, List<Object> parameters, RowMapper<T> mapper)
            throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(mapper.map(rows));
                }
                return result;
            }
        }
    }

    private static Long nullableLong(ResultSet r, int column) throws SQLException {
        long value = r.getLong(column);
        return r.wasNull() ? null : value;
    }

    private static Integer nullableInt(ResultSet r, int column) throws SQLException {
        int value = r.getInt(column);
        return r.wasNull() ? null : value;
    }

    private static Double nullableDouble(ResultSet r, int column) throws SQLException {
        double value = r.getDouble(column);
        return r.wasNull() ? null : value;
    }
}
