package io.emeth.chain.indexer;

import java.math.BigInteger;

/** What one EmethCore log says, decoded and checked, before it becomes an Avro event. */
sealed interface DecodedLog {
    /** {@code Request(owner, jobId, fee, deadline)}; deadline in seconds. */
    record Requested(String owner, String jobId, BigInteger fee, long deadlineSeconds)
            implements DecodedLog {}

    /** {@code Status(jobId, nodeAddress, status)}; status is the contract's code 0..9. */
    record StatusChanged(String jobId, String node, int status) implements DecodedLog {}

    /** {@code Cancel(jobId)}. */
    record Canceled(String jobId) implements DecodedLog {}

    /** {@code Reward(nodeAddress, slot, gas)}. */
    record Rewarded(String node, long slot, long gas) implements DecodedLog {}

    /** {@code Penalty(nodeAddress, slashed)}. */
    record Penalized(String node, BigInteger slashed) implements DecodedLog {}

    /** A log of the contract no consumer needs (ownership, verifier changes, withdrawals). */
    record Ignored(String event) implements DecodedLog {}

    /** A log that cannot be turned into an event; {@code reason} names the bad field. */
    record Rejected(String reason) implements DecodedLog {}
}
