package io.emeth.admin.cli;

import io.emeth.admin.NodeTopics;
import io.emeth.admin.commands.CommandPublisher;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.read.Views.JobRow;
import io.emeth.common.config.MasterConfig;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code emeth decline [jobId]}: gives back one job, or every job of this node still PROCESSING on
 * chain, as the original did. Each decline is a {@code DeclineJob} command to the gateway; the
 * master stops the job's training when the chain reports it DECLINED. A job that is not this node's
 * PROCESSING job on chain is refused with its actual state.
 */
public final class Decline {
    static final String REASON = "declined by the operator (emeth decline)";

    private Decline() {}

    /**
     * Declines {@code jobId}, or every processing job when it is null; returns the exit code.
     *
     * @throws IllegalArgumentException naming {@code jobId} when it is malformed, or saying why the
     *     job cannot be declined
     */
    public static int run(MasterConfig config, String jobId, PrintStream out) throws Exception {
        return run(config, jobId, "", out);
    }

    /** As {@link #run(MasterConfig, String, PrintStream)} with prefixed topic names (tests). */
    public static int run(MasterConfig config, String jobId, String topicPrefix, PrintStream out)
            throws Exception {
        String id = jobId == null ? null : JobIds.normalize(jobId);
        String account = config.poolId();
        try (Database database = Database.forConfig(config);
                EmethCoreReader chain =
                        EmethCoreReader.open(
                                config.endpoint().toString(),
                                config.emethContractAddress(),
                                account);
                CommandPublisher commands =
                        CommandPublisher.create(
                                config.kafka().bootstrapServers(),
                                config.kafka().properties(),
                                NodeTopics.create(config.kafka(), topicPrefix))) {
            SinkSchema.migrate(database);
            List<JobRow> known = new ReadModel(database).jobList();
            if (id != null) {
                EmethCoreReader.Job onChain = chain.job(id);
                EmethCoreReader.Assignment assign = chain.assignment(id);
                if (!processedBy(onChain, assign, account)) {
                    throw new IllegalArgumentException(
                            "job "
                                    + id
                                    + " cannot be declined: on chain it is "
                                    + (onChain.exists() ? onChain.statusName() : "unknown")
                                    + (assign.assigned() ? " by " + assign.node() : "")
                                    + ", not PROCESSING by this node "
                                    + account);
                }
                decline(commands, account, id, attempt(known, id), out);
                return 0;
            }
            int declined = 0;
            for (JobRow job : known) {
                if (processedBy(chain.job(job.jobId()), chain.assignment(job.jobId()), account)) {
                    decline(commands, account, job.jobId(), job.numAttempt(), out);
                    declined++;
                }
            }
            if (declined == 0) {
                out.println(
                        "No job of " + account + " is PROCESSING on chain; nothing to decline.");
            }
            return 0;
        }
    }

    private static void decline(
            CommandPublisher commands, String account, String jobId, int attempt, PrintStream out) {
        String commandId = commands.declineJob(account, jobId, attempt, REASON);
        out.println(
                "Declining job "
                        + jobId
                        + " (attempt "
                        + attempt
                        + "): DeclineJob sent to the gateway, command "
                        + commandId);
    }

    private static boolean processedBy(
            EmethCoreReader.Job job, EmethCoreReader.Assignment assign, String account) {
        return job.hasStatus(JobStatus.PROCESSING) && assign.assignedTo(account);
    }

    private static int attempt(List<JobRow> known, String jobId) {
        return known.stream()
                .filter(j -> j.jobId().equals(jobId))
                .mapToInt(JobRow::numAttempt)
                .findFirst()
                .orElse(1);
    }
}
