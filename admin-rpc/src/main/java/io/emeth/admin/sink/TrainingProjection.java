package io.emeth.admin.sink;

import io.emeth.admin.db.SinkSchema;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code TrainingEvent} does to the tables: one {@code training_log} row (the job's history
 * the board and {@code job status} show), and for an aggregated round a point of the job's
 * validation-loss curve. The log is append-only, so it relies on the sink's offsets for
 * exactly-once.
 */
final class TrainingProjection {
    private static final List<String> LOG_COLUMNS =
            List.of(
                    "job_id",
                    "num_attempt",
                    "worker_address",
                    "kind",
                    "epoch",
                    "loss",
                    "detail",
                    "at");

    private TrainingProjection() {}

    static List<RowChange> rows(TrainingEvent event) {
        if (event == null) {
            return List.of();
        }
        String jobId = Projections.jobId(event.getJobId());
        String worker = Projections.address(event.getWorker());
        List<RowChange> rows = new ArrayList<>();
        Entry entry = entry(jobId, event.getPayload());
        if (event.getPayload() instanceof RoundAggregated round && entry.loss() != null) {
            rows.add(Projections.loss(jobId, event.getAttempt(), round.getEpoch(), entry.loss()));
        }
        rows.add(
                0,
                RowChange.insert(
                        Projections.TRAINING_LOG,
                        LOG_COLUMNS,
                        jobId,
                        event.getAttempt(),
                        worker,
                        entry.kind(),
                        entry.epoch(),
                        entry.loss(),
                        Projections.cut(entry.detail(), SinkSchema.TEXT_LIMIT),
                        Projections.millis(event.getAt())));
        return rows;
    }

    /** The log columns that depend on the kind of event. */
    private record Entry(String kind, Integer epoch, Double loss, String detail) {}

    private static Entry entry(String jobId, Object payload) {
        if (payload instanceof ShardTrained shard) {
            return new Entry(
                    "SHARD_TRAINED",
                    shard.getEpoch(),
                    Projections.finite(shard.getLoss()),
                    "rank "
                            + shard.getRank()
                            + ", "
                            + shard.getTokens()
                            + " tokens, "
                            + shard.getDurationMs()
                            + " ms"
                            + lossNote(shard.getLoss()));
        }
        if (payload instanceof RoundAggregated round) {
            return new Entry(
                    "ROUND_AGGREGATED",
                    round.getEpoch(),
                    Projections.finite(round.getValidationLoss()),
                    round.getContributors().size()
                            + " shards averaged, "
                            + round.getRejectedShards().size()
                            + " rejected"
                            + lossNote(round.getValidationLoss()));
        }
        if (payload instanceof ResultUploaded result) {
            return new Entry(
                    "RESULT_UPLOADED",
                    null,
                    Projections.finite(result.getValidationLoss()),
                    "result " + result.getResultFileName());
        }
        if (payload instanceof TrainingFailed failed) {
            return new Entry(
                    "TRAINING_FAILED",
                    failed.getEpoch(),
                    null,
                    (failed.getPhase() == null ? "" : failed.getPhase() + ": ")
                            + failed.getReason());
        }
        throw new IllegalArgumentException(
                "training event of job "
                        + jobId
                        + " has an unknown payload "
                        + (payload == null ? "null" : payload.getClass().getSimpleName()));
    }

    private static String lossNote(double loss) {
        return Double.isFinite(loss) ? "" : ", loss " + loss;
    }
}
