package io.emeth.chain.gateway;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.gateway.WithdrawSlotReward;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a command needs on chain: checks its precondition against the latest state (so a
 * repeated or stale command is refused with the reason instead of reverting) and lists the
 * transactions, with an ERC-20 approve of many deposits before {@code process} only when the
 * allowance runs below its low-water mark (one approve serves many jobs).
 */
final class CommandPlanner {
    /** Longest result string sent on chain; a model file name is far shorter. */
    static final int MAX_RESULT_BYTES = 1024;

    private static final Logger log = LoggerFactory.getLogger(CommandPlanner.class);

    private final String account;
    private final String coreAddress;
    private final String tokenAddress;
    private final EmethCore core;
    private final EmethToken token;
    private final int allowanceDeposits;
    private final int lowWaterDeposits;

    /** {@code core} and {@code token} only encode calldata here; reads go through the state. */
    CommandPlanner(String account, EmethCore core, EmethToken token) {
        this(
                account,
                core,
                token,
                GatewayConfig.DEFAULT_ALLOWANCE_DEPOSITS,
                GatewayConfig.DEFAULT_ALLOWANCE_LOW_WATER_DEPOSITS);
    }

    /**
     * A planner whose approve allows {@code allowanceDeposits} deposits of the job at hand, sent
     * only when the allowance covers fewer than {@code lowWaterDeposits} of them.
     */
    CommandPlanner(
            String account,
            EmethCore core,
            EmethToken token,
            int allowanceDeposits,
            int lowWaterDeposits) {
        this.allowanceDeposits = allowanceDeposits;
        this.lowWaterDeposits = lowWaterDeposits;
        this.account = account;
        this.core = core;
        this.token = token;
        this.coreAddress = core.getContractAddress();
        this.tokenAddress = token.getContractAddress();
    }

    Plan plan(ChainCommand command, ChainState state) throws IOException {
        Object payload = command.getPayload();
        try {
            if (payload instanceof ProcessJob p) {
                return process(JobIds.normalize(p.getJobId()), state);
            }
            if (payload instanceof SubmitResult s) {
                return submit(JobIds.normalize(s.getJobId()), s.getResultFileName(), state);
            }
            if (payload instanceof DeclineJob d) {
                return decline(JobIds.normalize(d.getJobId()), state);
            }
            if (payload instanceof WithdrawSlotReward w) {
                return withdraw(w.getSlot(), state);
            }
        } catch (IllegalArgumentException badInput) {
            return new Plan.Refuse("malformed command: " + badInput.getMessage());
        }
        return new Plan.Refuse(
                "unknown command payload "
                        + (payload == null ? "null" : payload.getClass().getSimpleName()));
    }

    /**
     * The allowance top-up the gateway sends at start, before its first command: an approve of
     * {@code allowanceDeposits} deposits of {@code fee} (the highest job fee the node takes), when
     * the allowance covers fewer than the low-water mark of them; refused (nothing to send) when it
     * covers enough. With it, the first {@code process} calls of a burst find their allowance
     * instead of waiting for an approve to be mined alone.
     */
    Plan topUpAtStart(BigInteger fee, ChainState state) throws IOException {
        BigInteger deposit = state.rates().deposit(fee);
        if (deposit.signum() <= 0) {
            return new Plan.Refuse("the deposit of a job of fee " + fee + " wei is 0");
        }
        BigInteger allowance = state.allowance();
        if (allowance.compareTo(deposit.multiply(BigInteger.valueOf(lowWaterDeposits))) >= 0) {
            return new Plan.Refuse(
                    "the allowance "
                            + allowance
                            + " wei covers "
                            + allowance.divide(deposit)
                            + " deposits of "
                            + deposit
                            + " wei (low-water mark "
                            + lowWaterDeposits
                            + ")");
        }
        BigInteger topUp = deposit.multiply(BigInteger.valueOf(allowanceDeposits));
        log.info(
                "Allowance below its low-water mark at start, approving {} deposits of the"
                        + " highest fee [account:{}, allowance:{}, deposit:{}, approve:{}]",
                allowanceDeposits,
                account,
                allowance,
                deposit,
                topUp);
        return new Plan.Send(
                List.of(
                        new Step(
                                ChainAction.APPROVE,
                                tokenAddress,
                                token.approve(coreAddress, topUp).encodeFunctionCall())));
    }

    /** The action a command's main transaction performs. */
    static ChainAction actionOf(ChainCommand command) {
        Object payload = command.getPayload();
        if (payload instanceof SubmitResult) {
            return ChainAction.SUBMIT_RESULT;
        }
        if (payload instanceof DeclineJob) {
            return ChainAction.DECLINE_JOB;
        }
        if (payload instanceof WithdrawSlotReward) {
            return ChainAction.WITHDRAW_SLOT_REWARD;
        }
        return ChainAction.PROCESS_JOB;
    }

    /** The job a command concerns, or null (withdrawals). */
    static String jobIdOf(ChainCommand command) {
        Object payload = command.getPayload();
        if (payload instanceof ProcessJob p) {
            return p.getJobId();
        }
        if (payload instanceof SubmitResult s) {
            return s.getJobId();
        }
        if (payload instanceof DeclineJob d) {
            return d.getJobId();
        }
        return null;
    }

    private Plan process(String jobId, ChainState state) throws IOException {
        JobState job = state.job(jobId);
        if (!job.exists()) {
            return new Plan.Refuse("job " + jobId + " does not exist on chain");
        }
        if (!job.hasStatus(JobStatus.REQUESTED)) {
            return new Plan.Refuse(
                    "job "
                            + jobId
                            + " is "
                            + job.statusName()
                            + ", not REQUESTED"
                            + (job.processedBy(account)
                                    ? " (this account already took it)"
                                    : job.exists()
                                                    && !job.node()
                                                            .equalsIgnoreCase(JobState.ZERO_ADDRESS)
                                            ? " (taken by " + job.node() + ")"
                                            : ""));
        }
        long now = state.now();
        if (now >= job.deadline()) {
            return new Plan.Refuse(
                    "job "
                            + jobId
                            + " deadline "
                            + job.deadline()
                            + " has passed (chain time "
                            + now
                            + ")");
        }
        BigInteger deposit = state.rates().deposit(job.fee());
        BigInteger balance = state.emtBalance();
        if (balance.compareTo(deposit) < 0) {
            return new Plan.Refuse(
                    "EMT balance "
                            + balance
                            + " wei of "
                            + account
                            + " is below the deposit "
                            + deposit
                            + " wei of job "
                            + jobId
                            + ": fund the account");
        }
        List<Step> steps = new ArrayList<>();
        BigInteger allowance = state.allowance();
        if (allowance.compareTo(deposit.multiply(BigInteger.valueOf(lowWaterDeposits))) < 0) {
            BigInteger topUp = deposit.multiply(BigInteger.valueOf(allowanceDeposits));
            log.info(
                    "Allowance below its low-water mark, approving {} deposits [jobId:{},"
                            + " allowance:{}, deposit:{}, approve:{}]",
                    allowanceDeposits,
                    jobId,
                    allowance,
                    deposit,
                    topUp);
            steps.add(
                    new Step(
                            ChainAction.APPROVE,
                            tokenAddress,
                            token.approve(coreAddress, topUp).encodeFunctionCall()));
        }
        steps.add(
                new Step(
                        ChainAction.PROCESS_JOB,
                        coreAddress,
                        core.process(JobIds.toBytes(jobId)).encodeFunctionCall()));
        return new Plan.Send(steps);
    }

    private Plan submit(String jobId, String result, ChainState state) throws IOException {
        if (result == null || result.isBlank()) {
            return new Plan.Refuse("result file name of job " + jobId + " is empty");
        }
        int bytes = result.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_RESULT_BYTES) {
            return new Plan.Refuse(
                    "result file name of job "
                            + jobId
                            + " is "
                            + bytes
                            + " bytes, more than "
                            + MAX_RESULT_BYTES);
        }
        JobState job = state.job(jobId);
        Plan.Refuse ours = requireOurs(jobId, job, "submit");
        if (ours != null) {
            return ours;
        }
        long now = state.now();
        if (now > job.deadline()) {
            return new Plan.Refuse(
                    "job "
                            + jobId
                            + " deadline "
                            + job.deadline()
                            + " has passed (chain time "
                            + now
                            + "): too late to submit");
        }
        return new Plan.Send(
                List.of(
                        new Step(
                                ChainAction.SUBMIT_RESULT,
                                coreAddress,
                                core.submit(JobIds.toBytes(jobId), result).encodeFunctionCall())));
    }

    private Plan decline(String jobId, ChainState state) throws IOException {
        Plan.Refuse ours = requireOurs(jobId, state.job(jobId), "decline");
        if (ours != null) {
            return ours;
        }
        return new Plan.Send(
                List.of(
                        new Step(
                                ChainAction.DECLINE_JOB,
                                coreAddress,
                                core.decline(JobIds.toBytes(jobId)).encodeFunctionCall())));
    }

    private Plan withdraw(long slot, ChainState state) throws IOException {
        if (slot < 0) {
            return new Plan.Refuse("slot " + slot + " is negative");
        }
        long current = state.currentSlot();
        if (slot >= current) {
            return new Plan.Refuse(
                    "slot " + slot + " is not closed yet (current slot " + current + ")");
        }
        // the original node computed each slot's reward before withdrawing it; slots() also
        // reverts for a slot before the contract's first, which fails the command with its reason
        EmethCoreReader.Slot totals = state.slot(slot);
        BigInteger gas = state.slotGas(slot);
        if (gas.signum() == 0) {
            return new Plan.Refuse("account " + account + " has no gas in slot " + slot);
        }
        if (state.slotWithdrawn(slot)) {
            return new Plan.Refuse("slot " + slot + " reward was already withdrawn by " + account);
        }
        log.info(
                "Withdrawing a slot reward [account:{}, slot:{}, gas:{}, expectedWei:{}]",
                account,
                slot,
                gas,
                EmethRules.rewardShare(
                        gas.min(totals.totalGas()), totals.totalGas(), totals.totalReward()));
        return new Plan.Send(
                List.of(
                        new Step(
                                ChainAction.WITHDRAW_SLOT_REWARD,
                                coreAddress,
                                core.withdrawSlotReward(BigInteger.valueOf(slot))
                                        .encodeFunctionCall())));
    }

    /** Refuses unless the job is PROCESSING by this account. */
    private Plan.Refuse requireOurs(String jobId, JobState job, String what) {
        if (!job.exists()) {
            return new Plan.Refuse("job " + jobId + " does not exist on chain");
        }
        if (!job.hasStatus(JobStatus.PROCESSING)) {
            return new Plan.Refuse(
                    "job "
                            + jobId
                            + " is "
                            + job.statusName()
                            + ", not PROCESSING: nothing to "
                            + what);
        }
        if (!job.processedBy(account)) {
            return new Plan.Refuse(
                    "job "
                            + jobId
                            + " is processed by "
                            + job.node()
                            + ", not by this account "
                            + account);
        }
        return null;
    }
}
