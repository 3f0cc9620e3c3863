package io.emeth.admin.read;

import java.util.List;

/**
 * The rows the read side returns: what {@code joblist}, {@code job status}, the JSON-RPC methods,
 * the read API and the job board show. Times are epoch milliseconds, fees decimal strings of wei.
 */
public final class Views {
    private Views() {}

    /** A row of the original {@code jobs} table: what {@code joblist} prints. */
    public record JobRow(
            String jobId, int status, long dataSizeMb, long programId, int numAttempt) {}

    /** One point of a job's validation-loss curve. */
    public record LossPoint(int numAttempt, int epoch, double validationLoss) {}

    /** A job as the board lists it, with the loss curve of its current attempt. */
    public record JobSummary(
            String jobId,
            String state,
            Integer chainStatus,
            String fee,
            long deadline,
            Long requestedAt,
            int epoch,
            int epochs,
            Long datasetSizeBytes,
            long programId,
            int numAttempt,
            String owner,
            String dataset,
            String node,
            String resultFileName,
            String lastError,
            long updatedAt,
            List<LossPoint> losses) {
        public JobSummary {
            losses = List.copyOf(losses);
        }
    }

    /** A worker's share in an attempt (the original {@code contributions} table). */
    public record Contribution(
            int numAttempt,
            String workerAddress,
            String masterAddress,
            int status,
            Long startedAt,
            Long endedAt,
            int contribution) {}

    /** A line of a job's training history. */
    public record TrainingLogEntry(
            int numAttempt,
            String workerAddress,
            String kind,
            Integer epoch,
            Double loss,
            String detail,
            long at) {}

    /** Everything known about one job. */
    public record JobDetail(
            JobSummary summary, List<Contribution> contributions, List<TrainingLogEntry> history) {
        public JobDetail {
            contributions = List.copyOf(contributions);
            history = List.copyOf(history);
        }
    }

    /** A worker as its master last reported it. */
    public record WorkerRow(
            String address,
            String pool,
            String state,
            String phase,
            long powerCapacity,
            String device,
            String url,
            String jobId,
            Integer numAttempt,
            Integer epoch,
            Double progress,
            Long lastHeartbeatAt,
            String lastError,
            long updatedAt) {}
}
