package io.emeth.admin.cli;

import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.read.ViewJson;
import io.emeth.admin.read.Views.JobRow;
import io.emeth.common.config.MasterConfig;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code emeth joblist}: this node's jobs from the sink's database, one line each in the original
 * node's format: {@code Assigned job: <jobId> , Status: <STATUS NAME> , Size(MB): <size> ,
 * num_attempt: <n>}.
 */
public final class JobList {
    private JobList() {}

    /** Prints the jobs of the database {@code config} names; returns the exit code (0). */
    public static int run(MasterConfig config, PrintStream out) throws Exception {
        try (Database database = Database.forConfig(config)) {
            return run(database, out);
        }
    }

    /** Prints the jobs of {@code database}. */
    public static int run(Database database, PrintStream out) throws Exception {
        SinkSchema.migrate(database);
        List<JobRow> jobs = new ReadModel(database).jobList();
        jobs.forEach(job -> out.println(line(job)));
        if (jobs.isEmpty()) {
            out.println(
                    "No assigned jobs in "
                            + database
                            + " (emeth admin-rpc fills it from the master's job-status topic).");
        }
        return 0;
    }

    /** One job in the original's format. */
    public static String line(JobRow job) {
        return "Assigned job: "
                + job.jobId()
                + " , Status: "
                + ViewJson.statusName(job.status())
                + " , Size(MB): "
                + job.dataSizeMb()
                + " , num_attempt: "
                + job.numAttempt();
    }
}
