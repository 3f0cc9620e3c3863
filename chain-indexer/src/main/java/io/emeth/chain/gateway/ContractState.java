package io.emeth.chain.gateway;

import io.emeth.contracts.JobIds;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import java.io.IOException;
import java.math.BigInteger;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteCall;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.tuples.generated.Tuple5;
import org.web3j.tuples.generated.Tuple6;

/** {@link ChainState} read through the contracts' view functions at the latest block. */
final class ContractState implements ChainState {
    private final Web3j web3j;
    private final String account;
    private final EmethCore core;
    private final EmethToken token;

    ContractState(Web3j web3j, String account, EmethCore core, EmethToken token) {
        this.web3j = web3j;
        this.account = account;
        this.core = core;
        this.token = token;
    }

    @Override
    public JobState job(String jobId) throws IOException {
        byte[] id = JobIds.toBytes(jobId);
        Tuple5<String, BigInteger, BigInteger, BigInteger, BigInteger> job =
                call(core.jobs(id), "jobs(" + jobId + ")");
        Tuple6<String, BigInteger, BigInteger, BigInteger, BigInteger, BigInteger> assign =
                call(core.jobAssigns(id), "jobAssigns(" + jobId + ")");
        return new JobState(
                job.component1(),
                clamp(job.component2()),
                job.component3(),
                (int) Math.min(Integer.MAX_VALUE, clamp(job.component4())),
                assign.component1());
    }

    @Override
    public BigInteger emtBalance() throws IOException {
        return call(token.balanceOf(account), "balanceOf(" + account + ")");
    }

    @Override
    public BigInteger allowance() throws IOException {
        return call(
                token.allowance(account, core.getContractAddress()),
                "allowance(" + account + ", EmethCore)");
    }

    @Override
    public long now() throws IOException {
        EthBlock.Block block =
                web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
                        .send()
                        .getBlock();
        if (block == null) {
            throw new IOException("the node has no latest block");
        }
        return clamp(block.getTimestamp());
    }

    @Override
    public long currentSlot() throws IOException {
        return clamp(call(core.currentSlot(), "currentSlot()"));
    }

    @Override
    public BigInteger slotGas(long slot) throws IOException {
        return call(
                core.slotBalances(BigInteger.valueOf(slot), account), "slotBalances(" + slot + ")");
    }

    @Override
    public boolean slotWithdrawn(long slot) throws IOException {
        return call(
                core.slotRewardWithdrawn(BigInteger.valueOf(slot), account),
                "slotRewardWithdrawn(" + slot + ")");
    }

    private static long clamp(BigInteger value) {
        return value.bitLength() < 63 ? value.longValue() : Long.MAX_VALUE;
    }

    private static <T> T call(RemoteCall<T> call, String what) throws IOException {
        try {
            return call.send();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(what + " failed: " + e.getMessage(), e);
        }
    }
}
