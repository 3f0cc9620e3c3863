package io.emeth.chain.gateway;

import io.emeth.contracts.ContractRates;
import io.emeth.contracts.EmethCoreReader;
import java.io.IOException;
import java.math.BigInteger;

/**
 * The on-chain state the gateway checks before it sends anything, read at the latest block. In
 * production every read goes through {@link EmethCoreReader} ({@link #of}); a read the contract
 * refuses is an {@link EmethCoreReader.CallRefusedException}.
 */
interface ChainState {
    JobState job(String jobId) throws IOException;

    /** EMT balance of the gateway's account, in wei. */
    BigInteger emtBalance() throws IOException;

    /** What EmethCore may pull from the gateway's account, in wei. */
    BigInteger allowance() throws IOException;

    /** Timestamp of the latest block, the contract's "now", in seconds. */
    long now() throws IOException;

    long currentSlot() throws IOException;

    /** The contract's rates, read once. */
    ContractRates rates() throws IOException;

    /** {@code slots(slot)}: the slot's credited gas and reward. */
    EmethCoreReader.Slot slot(long slot) throws IOException;

    /** Gas the account earned in {@code slot}. */
    BigInteger slotGas(long slot) throws IOException;

    /** True when the account's {@code slotBalances} of {@code slot} is 0. */
    boolean slotWithdrawn(long slot) throws IOException;

    /** The state {@code reader} reads, as {@code account} sees it. */
    static ChainState of(EmethCoreReader reader, String account) {
        return new ChainState() {
            @Override
            public JobState job(String jobId) throws IOException {
                return JobState.of(reader.job(jobId), reader.assignment(jobId));
            }

            @Override
            public BigInteger emtBalance() throws IOException {
                return reader.emtBalance(account);
            }

            @Override
            public BigInteger allowance() throws IOException {
                return reader.allowance(account);
            }

            @Override
            public long now() throws IOException {
                return reader.latestTimestamp();
            }

            @Override
            public long currentSlot() throws IOException {
                return reader.currentSlot();
            }

            @Override
            public ContractRates rates() throws IOException {
                return reader.rates();
            }

            @Override
            public EmethCoreReader.Slot slot(long slot) throws IOException {
                return reader.slot(slot);
            }

            @Override
            public BigInteger slotGas(long slot) throws IOException {
                return reader.slotGas(slot, account);
            }

            @Override
            public boolean slotWithdrawn(long slot) throws IOException {
                return reader.slotWithdrawn(slot, account);
            }
        };
    }
}
