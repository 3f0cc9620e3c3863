package io.emeth.admin.rewards;

import io.emeth.admin.rewards.SlotRewards.SlotState;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.generated.EmethCore;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * The contract's read-only views the operator commands need (reward slots, a job's status and
 * node). Calls only {@code eth_call}: this class cannot send a transaction, by construction.
 */
public final class ChainViews implements AutoCloseable {
    /** A job's status on chain and the node processing it (zero address when none). */
    public record JobOnChain(JobStatus status, String node) {}

    private final Web3j web3j;
    private final EmethCore core;
    private final String endpoint;

    private ChainViews(Web3j web3j, EmethCore core, String endpoint) {
        this.web3j = web3j;
        this.core = core;
        this.endpoint = endpoint;
    }

    /** Views of the EmethCore at {@code coreAddress}, as seen by {@code account}. */
    public static ChainViews connect(String endpoint, String coreAddress, String account) {
        if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new IllegalArgumentException(
                    "endpoint " + endpoint + ": the operator commands need an http(s) endpoint");
        }
        Web3j web3j = Web3j.build(new HttpService(endpoint));
        // views cost no gas; the provider is never asked
        EmethCore core =
                EmethCore.load(
                        coreAddress,
                        web3j,
                        new ReadonlyTransactionManager(web3j, account),
                        new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
        return new ChainViews(web3j, core, endpoint);
    }

    /** The contract's current, still open, reward slot. */
    public long currentSlot() throws Exception {
        return core.currentSlot().send().longValueExact();
    }

    /** The node's slots from {@code fromIndex} on, with their totals and the node's share. */
    public List<SlotState> slotsFrom(String account, long fromIndex) throws Exception {
        long count = core.nodeSlotCount(account).send().longValueExact();
        List<SlotState> slots = new ArrayList<>();
        for (long i = Math.max(0, fromIndex); i < count; i++) {
            BigInteger slot = core.nodeSlots(account, BigInteger.valueOf(i)).send();
            var totals = core.slots(slot).send();
            slots.add(
                    new SlotState(
                            i,
                            slot.longValueExact(),
                            totals.component1(),
                            totals.component2(),
                            core.slotBalances(slot, account).send(),
                            core.slotRewardWithdrawn(slot, account).send()));
        }
        return slots;
    }

    /** The job's status and node on chain. */
    public JobOnChain job(String jobId) throws Exception {
        byte[] id = JobIds.toBytes(jobId);
        JobStatus status = JobStatus.fromCode(core.jobs(id).send().component4());
        String node = core.jobAssigns(id).send().component1();
        return new JobOnChain(status, node);
    }

    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        web3j.shutdown();
    }
}
