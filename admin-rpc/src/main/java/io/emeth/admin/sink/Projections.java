package io.emeth.admin.sink;

import io.emeth.admin.db.SinkSchema;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.JobWorker;
import io.emeth.schemas.avro.view.WorkerView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What each consumed record does to the tables, as {@link RowChange}s: a {@code JobView} (topic
 * {@code job-status}) becomes its {@code job_details} row, and for this node's jobs (attempt 1 or
 * later) the original {@code jobs} and {@code contributions} rows and the loss curve; a {@code
 * WorkerView} ({@code worker-status}) its {@code worker_details} and original {@code workers} row;
 * a {@code TrainingEvent} a {@code training_log} row (and a loss point for an aggregated round).
 *
 * <p>Pure and deterministic, so a replayed record produces the same upserts. Text is cut to the
 * column sizes and non-finite losses become NULL, so that no value from a topic can make the
 * database refuse a write and stall the sink; a record whose ids are malformed is refused with
 * {@link IllegalArgumentException} naming the id.
 */
public final class Projections {
    static final String JOBS = "jobs";
    static final String CONTRIBUTIONS = "contributions";
    static final String WORKERS = "workers";
    static final String JOB_DETAILS = "job_details";
    static final String WORKER_DETAILS = "worker_details";
    static final String JOB_LOSSES = "job_losses";
    static final String TRAINING_LOG = "training_log";

    private static final Pattern JOB_ID = Pattern.compile("0x[0-9a-fA-F]{32}");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final long BYTES_PER_MB = 1_048_576;

    private final String masterAddress;

    /**
     * @param masterAddress this node's account, written as {@code contributions.master_address}
     *     when a view does not name the node (null when unknown)
     */
    public Projections(String masterAddress) {
        this.masterAddress = masterAddress;
    }

    /** The rows of a job view; {@code view} null (a tombstone) deletes the job's board row. */
    public List<RowChange> jobView(String key, JobView view) {
        if (view == null) {
            return List.of(RowChange.delete(JOB_DETAILS, List.of("job_id"), jobId(key)));
        }
        String jobId = jobId(view.getJobId());
        List<RowChange> rows = new ArrayList<>();
        rows.add(jobDetails(jobId, view));
        if (view.getAttempt() > 0) {
            long sizeBytes = view.getDatasetSizeBytes() == null ? 0 : view.getDatasetSizeBytes();
            rows.add(
                    RowChange.upsert(
                            JOBS,
                            List.of("job_id"),
                            List.of("data_size_mb", "program_id", "status", "num_attempt"),
                            jobId,
                            Math.max(0, sizeBytes) / BYTES_PER_MB,
                            view.getProgramId(),
                            statusCode(view),
                            view.getAttempt()));
            String master = view.getNode() != null ? view.getNode() : masterAddress;
            for (JobWorker worker : view.getWorkers()) {
                rows.add(contribution(jobId, view.getAttempt(), master, worker));
            }
        }
        List<Double> losses = view.getLosses();
        for (int i = 0; i < losses.size(); i++) {
            Double loss = finite(losses.get(i));
            if (loss != null) {
                rows.add(loss(jobId, view.getAttempt(), i + 1, loss));
            }
        }
        return rows;
    }

    /** The rows of a worker view; {@code view} null (a tombstone) deletes its board row. */
    public List<RowChange> workerView(String key, WorkerView view) {
        if (view == null) {
            return List.of(RowChange.delete(WORKER_DETAILS, List.of("address"), address(key)));
        }
        String address = address(view.getWorker());
        String url = cut(view.getUrl(), SinkSchema.NAME_LIMIT);
        List<RowChange> rows = new ArrayList<>();
        rows.add(
                RowChange.upsert(
                        WORKER_DETAILS,
                        List.of("address"),
                        List.of(
                                "pool",
                                "state",
                                "phase",
                                "power_capacity",
                                "device",
                                "url",
                                "job_id",
                                "num_attempt",
                                "epoch",
                                "progress",
                                "last_heartbeat_at",
                                "last_error",
                                "updated_at"),
                        address,
                        view.getPool() == null || !ADDRESS.matcher(view.getPool()).matches()
                                ? cut(view.getPool(), 42)
                                : address(view.getPool()),
                        view.getState().name(),
                        view.getPhase().name(),
                        view.getPowerCapacity(),
                        cut(view.getDevice(), 64),
                        url,
                        view.getJobId() == null ? null : jobId(view.getJobId()),
                        view.getAttempt(),
                        view.getEpoch(),
                        finite(view.getProgress()),
                        millis(view.getLastHeartbeatAt()),
                        cut(view.getLastError(), SinkSchema.TEXT_LIMIT),
                        millis(view.getUpdatedAt())));
        if (!url.isBlank()) {
            rows.add(
                    RowChange.upsert(
                            WORKERS,
                            List.of("url"),
                            List.of("address", "power_capacity"),
                            url,
                            address,
                            view.getPowerCapacity()));
        }
        return rows;
    }

    /**
     * The contract status code for {@code jobs.status}: the last status seen on chain, else the
     * code the master's state corresponds to.
     */
    static int statusCode(JobView view) {
        if (view.getChainStatus() != null) {
            return view.getChainStatus().ordinal();
        }
        JobState state = view.getState();
        return switch (state) {
            case REQUESTED, INELIGIBLE, MATCHED -> 0;
            case PROCESSING, SUBMITTING, TAKEN -> 2;
            case SUBMITTED -> 3;
            case VERIFIED -> 4;
            case REJECTED -> 5;
            case CANCELED -> 6;
            case TIMEOUT -> 7;
            case FAILED -> 8;
            case DECLINED -> 9;
        };
    }

    private RowChange jobDetails(String jobId, JobView view) {
        return RowChange.upsert(
                JOB_DETAILS,
                List.of("job_id"),
                List.of(
                        "state",
                        "chain_status",
                        "fee",
                        "deadline",
                        "requested_at",
                        "epoch",
                        "epochs",
                        "dataset_size_bytes",
                        "program_id",
                        "num_attempt",
                        "owner",
                        "dataset",
                        "node",
                        "result_file_name",
                        "last_error",
                        "updated_at"),
                jobId,
                view.getState().name(),
                view.getChainStatus() == null ? null : view.getChainStatus().ordinal(),
                view.getFee().toBigInteger().toString(),
                millis(view.getDeadline()),
                millis(view.getRequestedAt()),
                view.getEpoch(),
                view.getEpochs(),
                view.getDatasetSizeBytes(),
                view.getProgramId(),
                view.getAttempt(),
                cut(view.getOwner(), 42),
                cut(view.getDataset(), SinkSchema.NAME_LIMIT),
                cut(view.getNode(), 42),
                cut(view.getResultFileName(), SinkSchema.NAME_LIMIT),
                cut(view.getLastError(), SinkSchema.TEXT_LIMIT),
                millis(view.getUpdatedAt()));
    }

    private static RowChange contribution(
            String jobId, int attempt, String master, JobWorker worker) {
        return RowChange.upsert(
                CONTRIBUTIONS,
                List.of("job_id", "num_attempt", "worker_address"),
                List.of("master_address", "status", "started_at", "ended_at", "contribution"),
                jobId,
                attempt,
                address(worker.getWorker()),
                cut(master, 42),
                worker.getStatus().ordinal(),
                millis(worker.getStartedAt()),
                millis(worker.getEndedAt()),
                worker.getContribution());
    }

    /** The training history rows of an event; see {@link TrainingProjection}. */
    public List<RowChange> trainingEvent(String key, TrainingEvent event) {
        return TrainingProjection.rows(event);
    }

    static RowChange loss(String jobId, int attempt, int epoch, double loss) {
        return RowChange.upsert(
                JOB_LOSSES,
                List.of("job_id", "num_attempt", "epoch"),
                List.of("validation_loss"),
                jobId,
                attempt,
                epoch,
                loss);
    }

    static String jobId(String value) {
        if (value == null || !JOB_ID.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "malformed job id '" + cut(value, 80) + "': expected 0x and 32 hex digits");
        }
        return value.toLowerCase(java.util.Locale.ROOT);
    }

    static String address(String value) {
        if (value == null || !ADDRESS.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "malformed address '" + cut(value, 80) + "': expected 0x and 40 hex digits");
        }
        // one spelling per address, so lookups and keys never differ by case
        return org.web3j.crypto.Keys.toChecksumAddress(value);
    }

    /** {@code value} cut to {@code limit} characters, ending in an ellipsis when cut. */
    static String cut(String value, int limit) {
        if (value == null || value.length() <= limit) {
            return value;
        }
        return value.substring(0, limit - 1) + "…";
    }

    static Long millis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }

    static Double finite(Double value) {
        return value == null || !Double.isFinite(value) ? null : value;
    }
}
