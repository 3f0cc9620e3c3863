package io.emeth.admin.cli;

import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.read.ViewJson;
import io.emeth.admin.read.Views.Contribution;
import io.emeth.admin.read.Views.JobDetail;
import io.emeth.admin.read.Views.JobSummary;
import io.emeth.admin.read.Views.LossPoint;
import io.emeth.admin.read.Views.TrainingLogEntry;
import io.emeth.common.config.MasterConfig;
import io.emeth.contracts.JobIds;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code emeth job status <jobId>}: everything the node knows about one job, from the sink's
 * database: state on the master and on chain, fee, deadline, epochs and validation losses, each
 * worker's contribution, and the recent training history. (Named so as not to clash with the
 * contract's {@code JobStatus} enum.)
 */
public final class JobStatusReport {
    private static final String[] CONTRIBUTION = {"NONE", "VERIFIED", "FAILED", "DISCONNECTED"};

    private JobStatusReport() {}

    /**
     * Prints the job; returns 0, or 1 when the node has no record of it.
     *
     * @throws IllegalArgumentException naming {@code jobId} when it is not 0x + 32 hex digits
     */
    public static int run(MasterConfig config, String jobId, PrintStream out) throws Exception {
        try (Database database = Database.forConfig(config)) {
            return run(database, jobId, out);
        }
    }

    public static int run(Database database, String jobId, PrintStream out) throws Exception {
        String id = JobIds.normalize(jobId);
        SinkSchema.migrate(database);
        Optional<JobDetail> job = new ReadModel(database).job(id);
        if (job.isEmpty()) {
            out.println("Job " + id + " is not known to this node (not in " + database + ").");
            return 1;
        }
        print(job.get(), out);
        return 0;
    }

    static void print(JobDetail detail, PrintStream out) {
        JobSummary j = detail.summary();
        out.println("Job " + j.jobId());
        out.println("  state:      " + j.state() + chain(j));
        out.println("  fee:        " + ViewJson.emt(j.fee()) + " EMT (" + j.fee() + " wei)");
        out.println("  deadline:   " + Instant.ofEpochMilli(j.deadline()));
        out.println("  dataset:    " + j.dataset() + size(j));
        out.println(
                "  attempt:    " + j.numAttempt() + ", epoch " + j.epoch() + " of " + j.epochs());
        StringBuilder losses = new StringBuilder();
        for (LossPoint p : j.losses()) {
            losses.append(losses.length() == 0 ? "" : ", ")
                    .append(p.epoch())
                    .append(": ")
                    .append(String.format(java.util.Locale.ROOT, "%.4f", p.validationLoss()));
        }
        out.println("  losses:     " + (losses.length() == 0 ? "none yet" : losses));
        if (j.resultFileName() != null) {
            out.println("  result:     " + j.resultFileName());
        }
        if (j.lastError() != null) {
            out.println("  last error: " + j.lastError());
        }
        for (Contribution c : detail.contributions()) {
            out.println(
                    "  worker "
                            + c.workerAddress()
                            + " attempt "
                            + c.numAttempt()
                            + ": "
                            + (c.status() >= 0 && c.status() < CONTRIBUTION.length
                                    ? CONTRIBUTION[c.status()]
                                    : "UNKNOWN(" + c.status() + ")")
                            + ", contribution "
                            + c.contribution());
        }
        for (TrainingLogEntry e : detail.history()) {
            out.println(
                    "  "
                            + Instant.ofEpochMilli(e.at())
                            + " "
                            + e.kind()
                            + (e.epoch() == null ? "" : " epoch " + e.epoch())
                            + " by "
                            + e.workerAddress()
                            + (e.detail() == null ? "" : ": " + e.detail()));
        }
    }

    private static String chain(JobSummary j) {
        return j.chainStatus() == null
                ? ""
                : " (on chain: "
                        + ViewJson.statusName(j.chainStatus())
                        + (j.node() == null ? "" : " by " + j.node())
                        + ")";
    }

    private static String size(JobSummary j) {
        return j.datasetSizeBytes() == null ? "" : " (" + j.datasetSizeBytes() + " bytes)";
    }
}
