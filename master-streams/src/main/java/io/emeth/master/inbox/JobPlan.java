package io.emeth.master.inbox;

import java.math.BigInteger;
import java.util.Objects;

/**
 * What the pool needs to match and assign an eligible job, worked out once by the job coordinator
 * from the job's {@code JobRequested}: the fee for ordering, the deadline and the estimated gas for
 * feasibility, and the training parameters from its {@code param}.
 *
 * @param requiredCapacity {@code R = gas × 10^6 / T}
 */
public record JobPlan(
        String jobId,
        BigInteger fee,
        long deadlineMs,
        long requestedAtMs,
        long datasetSizeBytes,
        String dataset,
        long programId,
        int epochs,
        String language,
        long gas,
        long requiredCapacity) {
    public JobPlan {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(fee, "fee");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(language, "language");
    }
}
