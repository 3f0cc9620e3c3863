package io.emeth.master.jobs;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.rules.JobMath;
import io.emeth.schemas.avro.chain.JobRequested;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

/**
 * Steps 1–3 of the architecture's matching for one requested job, before any worker is looked at:
 * the program is one this master runs, the fee is inside {@code [min_fee, max_fee]} (wei, exact)
 * and not below the contract's {@code VERIFIER_FEE}, the deadline has not passed, the data set is
 * known and at least 4 KiB, the {@code param} is usable and the deadline leaves a positive time
 * limit; then the job's gas and required power capacity. Pure.
 *
 * @param plan the job's plan when eligible
 * @param problem why not, naming the rule and the value; null when eligible
 */
public record Eligibility(JobPlan plan, String problem) {
    /** The only program this master runs: GPT training. */
    public static final long GPT_PROGRAM = 0;

    /**
     * Evaluates {@code request} at {@code nowMillis} (the master's clock: a deadline already passed
     * is refused, since the contract accepts and lets a node take such a job).
     */
    public static Eligibility evaluate(
            String jobId, JobRequested request, MasterStreamsConfig config, long nowMillis) {
        if (request.getProgramId() != GPT_PROGRAM) {
            return no(
                    "programId "
                            + request.getProgramId()
                            + " is not supported: this master runs program 0 (GPT training)");
        }
        BigInteger fee = fee(request.getFee());
        if (fee == null) {
            return no("fee " + request.getFee() + " is not a whole, non-negative number of wei");
        }
        var master = config.master();
        if (fee.compareTo(master.minFee()) < 0) {
            return no("fee " + emt(fee) + " is below min_fee " + emt(master.minFee()));
        }
        if (fee.compareTo(master.maxFee()) > 0) {
            return no("fee " + emt(fee) + " is above max_fee " + emt(master.maxFee()));
        }
        if (fee.compareTo(config.verifierFee()) < 0) {
            return no(
                    "fee "
                            + emt(fee)
                            + " is below the contract's VERIFIER_FEE "
                            + emt(config.verifierFee())
                            + ": the job could never be verified");
        }
        Long size = request.getDatasetSizeBytes();
        if (size == null) {
            return no(
                    "the size of data set '"
                            + request.getDataset()
                            + "' is unknown: the storage API did not know it when the job was"
                            + " indexed");
        }
        if (size < JobMath.MIN_DATASET_BYTES) {
            return no(
                    "data set is "
                            + size
                            + " bytes, below the "
                            + JobMath.MIN_DATASET_BYTES
                            + "-byte (4 KiB) minimum");
        }
        JobParams params = JobParams.parse(request.getParam(), config.master().nEpochs());
        if (params.problem() != null) {
            return no(params.problem());
        }
        long requestedAt = request.getRequestedAt().toEpochMilli();
        long deadline = request.getDeadline().toEpochMilli();
        long timeLimitSeconds = Math.floorDiv(deadline - requestedAt, 1000L);
        if (timeLimitSeconds <= 0) {
            return no(
                    "deadline "
                            + request.getDeadline()
                            + " is not after the request at "
                            + Instant.ofEpochMilli(requestedAt));
        }
        if (request.getDeadline().toEpochMilli() <= nowMillis) {
            return no(
                    "deadline "
                            + request.getDeadline()
                            + " has passed (now "
                            + Instant.ofEpochMilli(nowMillis)
                            + ")");
        }
        long gas = JobMath.gas(size);
        JobPlan plan =
                new JobPlan(
                        jobId,
                        fee,
                        deadline,
                        requestedAt,
                        size,
                        request.getDataset(),
                        request.getProgramId(),
                        params.epochs(),
                        params.language(),
                        gas,
                        JobMath.requiredCapacity(gas, timeLimitSeconds));
        return new Eligibility(plan, null);
    }

    /** The fee as wei, or null when it is negative or fractional. */
    static BigInteger fee(BigDecimal fee) {
        if (fee == null || fee.signum() < 0) {
            return null;
        }
        try {
            return fee.toBigIntegerExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    static String emt(BigInteger wei) {
        return wei
                + " wei ("
                + new BigDecimal(wei).movePointLeft(18).stripTrailingZeros().toPlainString()
                + " EMT)";
    }

    private static Eligibility no(String problem) {
        return new Eligibility(null, problem);
    }
}
