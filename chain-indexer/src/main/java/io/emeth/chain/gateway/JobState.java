package io.emeth.chain.gateway;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobStatus;
import java.math.BigInteger;

/**
 * A job as the contract holds it at the latest block: {@code jobs(jobId)} and the node of {@code
 * jobAssigns(jobId)}. An unknown job reads as all zeros.
 */
record JobState(String owner, long deadline, BigInteger fee, int status, String node) {
    static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

    /** The state with the contract's status code, one past {@code int} read as an unknown one. */
    static JobState of(
            String owner, long deadline, BigInteger fee, BigInteger statusCode, String node) {
        int status = statusCode.bitLength() < 31 ? statusCode.intValue() : Integer.MAX_VALUE;
        return new JobState(owner, deadline, fee, status, node);
    }

    /** The state {@code jobs(jobId)} and {@code jobAssigns(jobId)} answered. */
    static JobState of(EmethCoreReader.Job job, EmethCoreReader.Assignment assignment) {
        return of(job.owner(), job.deadline(), job.fee(), job.statusCode(), assignment.node());
    }

    boolean exists() {
        return !owner.equalsIgnoreCase(ZERO_ADDRESS);
    }

    /** The status's name, or the raw code when the contract uses one this node does not know. */
    String statusName() {
        try {
            return JobStatus.fromCode(status).name();
        } catch (IllegalArgumentException e) {
            return "status " + status;
        }
    }

    boolean hasStatus(JobStatus expected) {
        return status == expected.code();
    }

    boolean processedBy(String account) {
        return node.equalsIgnoreCase(account);
    }
}
