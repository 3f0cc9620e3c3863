package io.emeth.chain.gateway;

import java.io.IOException;
import java.math.BigInteger;

/** The on-chain state the gateway checks before it sends anything, read at the latest block. */
interface ChainState {
    JobState job(String jobId) throws IOException;

    /** EMT balance of the gateway's account, in wei. */
    BigInteger emtBalance() throws IOException;

    /** What EmethCore may pull from the gateway's account, in wei. */
    BigInteger allowance() throws IOException;

    /** Timestamp of the latest block, the contract's "now", in seconds. */
    long now() throws IOException;

    long currentSlot() throws IOException;

    /** Gas the account earned in {@code slot}. */
    BigInteger slotGas(long slot) throws IOException;

    boolean slotWithdrawn(long slot) throws IOException;
}
