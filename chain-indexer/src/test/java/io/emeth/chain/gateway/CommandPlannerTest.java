package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.contracts.ContractRates;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.gateway.WithdrawSlotReward;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

class CommandPlannerTest {
    static final String ME = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    static final String OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    static final String CORE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    static final String TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    static final String JOB = "0x0123456789abcdef0123456789abcdef";
    static final BigInteger FEE = EmethRules.emt(20);
    static final ContractRates RATES =
            new ContractRates(
                    BigInteger.valueOf(100_000),
                    BigInteger.valueOf(10_000),
                    BigInteger.valueOf(10_000),
                    BigInteger.valueOf(100_000),
                    BigInteger.valueOf(9_000),
                    EmethRules.emt(10));

    // the wrappers only encode calldata here; no call reaches this endpoint
    static final Web3j NO_NODE = Web3j.build(new HttpService("http://127.0.0.1:9"));
    final CommandPlanner planner =
            new CommandPlanner(
                    ME,
                    EmethCore.load(
                            CORE,
                            NO_NODE,
                            new ReadonlyTransactionManager(NO_NODE, ME),
                            new DefaultGasProvider()),
                    EmethToken.load(
                            TOKEN,
                            NO_NODE,
                            new ReadonlyTransactionManager(NO_NODE, ME),
                            new DefaultGasProvider()));

    /** Chain state as plain values. */
    record State(
            JobState job,
            BigInteger emtBalance,
            BigInteger allowance,
            long now,
            long currentSlot,
            BigInteger slotGas,
            boolean slotWithdrawn)
            implements ChainState {
        @Override
        public JobState job(String jobId) {
            return job;
        }

        @Override
        public boolean slotWithdrawn(long slot) {
            return slotWithdrawn;
        }

        @Override
        public BigInteger slotGas(long slot) {
            return slotGas;
        }

        @Override
        public ContractRates rates() {
            return RATES;
        }

        @Override
        public EmethCoreReader.Slot slot(long slot) {
            return new EmethCoreReader.Slot(slot, BigInteger.valueOf(1_000), EmethRules.emt(1));
        }
    }

    static State state(JobStatus status, String node, BigInteger allowance) {
        return new State(
                new JobState(OTHER, 2_000, FEE, status.code(), node),
                FEE.multiply(BigInteger.TEN),
                allowance,
                1_000,
                3,
                BigInteger.valueOf(500),
                false);
    }

    static ChainCommand command(Object payload) {
        return ChainCommand.newBuilder()
                .setCommandId("c1")
                .setAccount(ME)
                .setIssuedAt(Instant.EPOCH)
                .setPayload(payload)
                .build();
    }

    static ChainCommand process(String jobId) {
        return command(ProcessJob.newBuilder().setJobId(jobId).build());
    }

    @Test
    void shouldApproveTwentyDepositsOnlyWhenTheAllowanceIsBelowTwoDeposits() throws Exception {
        BigInteger deposit = RATES.deposit(FEE);
        BigInteger lowWater = deposit.multiply(BigInteger.TWO);

        Plan empty =
                planner.plan(
                        process(JOB),
                        state(JobStatus.REQUESTED, JobState.ZERO_ADDRESS, BigInteger.ONE));
        Plan justBelow =
                planner.plan(
                        process(JOB),
                        state(
                                JobStatus.REQUESTED,
                                JobState.ZERO_ADDRESS,
                                lowWater.subtract(BigInteger.ONE)));
        Plan atLowWater =
                planner.plan(
                        process(JOB), state(JobStatus.REQUESTED, JobState.ZERO_ADDRESS, lowWater));

        for (Plan topUp : List.of(empty, justBelow)) {
            List<Step> steps = ((Plan.Send) topUp).steps();
            assertThat(steps)
                    .extracting(Step::action)
                    .containsExactly(ChainAction.APPROVE, ChainAction.PROCESS_JOB);
            assertThat(steps.get(0).to()).isEqualTo(TOKEN);
            assertThat(approved(steps.get(0))).isEqualTo(deposit.multiply(BigInteger.valueOf(20)));
        }
        assertThat(((Plan.Send) atLowWater).steps())
                .extracting(Step::action)
                .containsExactly(ChainAction.PROCESS_JOB);
    }

    @Test
    void shouldApproveTheConfiguredAllowance() throws Exception {
        CommandPlanner five =
                new CommandPlanner(
                        ME,
                        EmethCore.load(
                                CORE,
                                NO_NODE,
                                new ReadonlyTransactionManager(NO_NODE, ME),
                                new DefaultGasProvider()),
                        EmethToken.load(
                                TOKEN,
                                NO_NODE,
                                new ReadonlyTransactionManager(NO_NODE, ME),
                                new DefaultGasProvider()),
                        5,
                        1);
        BigInteger deposit = RATES.deposit(FEE);

        Plan below =
                five.plan(
                        process(JOB),
                        state(
                                JobStatus.REQUESTED,
                                JobState.ZERO_ADDRESS,
                                deposit.subtract(BigInteger.ONE)));
        Plan one =
                five.plan(process(JOB), state(JobStatus.REQUESTED, JobState.ZERO_ADDRESS, deposit));

        assertThat(approved(((Plan.Send) below).steps().get(0)))
                .isEqualTo(deposit.multiply(BigInteger.valueOf(5)));
        assertThat(((Plan.Send) one).steps())
                .extracting(Step::action)
                .containsExactly(ChainAction.PROCESS_JOB);
    }

    @Test
    void shouldTopUpAtStartWithDepositsOfTheHighestFeeOnlyBelowTheLowWaterMark() throws Exception {
        // Given the highest fee the node takes, 30 EMT, whose deposit is 30 EMT
        BigInteger maxFee = EmethRules.emt(30);
        BigInteger deposit = RATES.deposit(maxFee);

        // When the gateway starts with no allowance, just below two deposits, and at two
        Plan none =
                planner.topUpAtStart(
                        maxFee, state(JobStatus.REQUESTED, JobState.ZERO_ADDRESS, BigInteger.ZERO));
        Plan justBelow =
                planner.topUpAtStart(
                        maxFee,
                        state(
                                JobStatus.REQUESTED,
                                JobState.ZERO_ADDRESS,
                                deposit.multiply(BigInteger.TWO).subtract(BigInteger.ONE)));
        Plan atLowWater =
                planner.topUpAtStart(
                        maxFee,
                        state(
                                JobStatus.REQUESTED,
                                JobState.ZERO_ADDRESS,
                                deposit.multiply(BigInteger.TWO)));

        // Then below the mark it approves 20 deposits of the highest fee on the token; at the
        // mark it sends nothing and says what the allowance covers
        for (Plan topUp : List.of(none, justBelow)) {
            assertThat(((Plan.Send) topUp).steps())
                    .singleElement()
                    .satisfies(
                            step -> {
                                assertThat(step.action()).isEqualTo(ChainAction.APPROVE);
                                assertThat(step.to()).isEqualTo(TOKEN);
                                assertThat(approved(step))
                                        .isEqualTo(deposit.multiply(BigInteger.valueOf(20)));
                            });
        }
        assertThat(((Plan.Refuse) atLowWater).reason()).contains("covers 2 deposits");
    }

    /** The amount an ERC-20 {@code approve(spender, amount)} call allows: its last word. */
    private static BigInteger approved(Step approve) {
        String data = approve.data();
        return new BigInteger(data.substring(data.length() - 64), 16);
    }

    @Test
    void shouldRefuseAProcessForAJobNoLongerRequested() throws Exception {
        Plan mine = planner.plan(process(JOB), state(JobStatus.PROCESSING, ME, FEE));
        Plan theirs = planner.plan(process(JOB), state(JobStatus.PROCESSING, OTHER, FEE));
        Plan canceled =
                planner.plan(process(JOB), state(JobStatus.CANCELED, JobState.ZERO_ADDRESS, FEE));

        assertThat(((Plan.Refuse) mine).reason()).contains(JOB, "PROCESSING", "already took it");
        assertThat(((Plan.Refuse) theirs).reason()).contains("taken by " + OTHER);
        assertThat(((Plan.Refuse) canceled).reason()).contains("CANCELED, not REQUESTED");
    }

    @Test
    void shouldRefuseAProcessPastTheDeadlineOrWithoutFunds() throws Exception {
        State late =
                new State(
                        new JobState(OTHER, 900, FEE, 0, JobState.ZERO_ADDRESS),
                        FEE,
                        FEE,
                        1_000,
                        0,
                        BigInteger.ZERO,
                        false);
        State poor =
                new State(
                        new JobState(OTHER, 2_000, FEE, 0, JobState.ZERO_ADDRESS),
                        BigInteger.ONE,
                        FEE,
                        1_000,
                        0,
                        BigInteger.ZERO,
                        false);

        assertThat(((Plan.Refuse) planner.plan(process(JOB), late)).reason())
                .contains("deadline 900 has passed");
        assertThat(((Plan.Refuse) planner.plan(process(JOB), poor)).reason())
                .contains("below the deposit", "fund the account");
    }

    @Test
    void shouldRefuseAJobThatDoesNotExistOrAMalformedJobId() throws Exception {
        State none =
                new State(
                        new JobState(
                                JobState.ZERO_ADDRESS,
                                0,
                                BigInteger.ZERO,
                                0,
                                JobState.ZERO_ADDRESS),
                        FEE,
                        FEE,
                        1_000,
                        0,
                        BigInteger.ZERO,
                        false);
        assertThat(((Plan.Refuse) planner.plan(process(JOB), none)).reason())
                .contains("does not exist");
        assertThat(((Plan.Refuse) planner.plan(process("0x12; drop"), none)).reason())
                .contains("malformed command", "0x12; drop");
    }

    @Test
    void shouldSubmitAndDeclineOnlyJobsThisAccountProcesses() throws Exception {
        ChainCommand submit =
                command(
                        SubmitResult.newBuilder()
                                .setJobId(JOB)
                                .setResultFileName("model.zip")
                                .build());
        ChainCommand decline =
                command(DeclineJob.newBuilder().setJobId(JOB).setReason("r").build());

        assertThat(planner.plan(submit, state(JobStatus.PROCESSING, ME, FEE)))
                .isInstanceOf(Plan.Send.class);
        assertThat(
                        ((Plan.Refuse)
                                        planner.plan(
                                                submit, state(JobStatus.PROCESSING, OTHER, FEE)))
                                .reason())
                .contains("processed by " + OTHER);
        assertThat(
                        ((Plan.Refuse) planner.plan(submit, state(JobStatus.SUBMITTED, ME, FEE)))
                                .reason())
                .contains("SUBMITTED, not PROCESSING");
        assertThat(
                        ((Plan.Send) planner.plan(decline, state(JobStatus.PROCESSING, ME, FEE)))
                                .steps())
                .extracting(Step::action)
                .containsExactly(ChainAction.DECLINE_JOB);
    }

    @Test
    void shouldRefuseAnEmptyOrOversizedResult() throws Exception {
        ChainCommand empty =
                command(SubmitResult.newBuilder().setJobId(JOB).setResultFileName(" ").build());
        ChainCommand huge =
                command(
                        SubmitResult.newBuilder()
                                .setJobId(JOB)
                                .setResultFileName("m".repeat(CommandPlanner.MAX_RESULT_BYTES + 1))
                                .build());
        assertThat(
                        ((Plan.Refuse) planner.plan(empty, state(JobStatus.PROCESSING, ME, FEE)))
                                .reason())
                .contains("empty");
        assertThat(
                        ((Plan.Refuse) planner.plan(huge, state(JobStatus.PROCESSING, ME, FEE)))
                                .reason())
                .contains("more than 1024");
    }

    @Test
    void shouldWithdrawOnlyAClosedSlotWithGasNotYetWithdrawn() throws Exception {
        State s = state(JobStatus.REQUESTED, ME, FEE);
        assertThat(planner.plan(command(withdraw(2)), s)).isInstanceOf(Plan.Send.class);
        assertThat(((Plan.Refuse) planner.plan(command(withdraw(3)), s)).reason())
                .contains("not closed yet");
        State withdrawn = new State(s.job(), FEE, FEE, 1_000, 3, BigInteger.TEN, true);
        assertThat(((Plan.Refuse) planner.plan(command(withdraw(1)), withdrawn)).reason())
                .contains("already withdrawn");
        State noGas = new State(s.job(), FEE, FEE, 1_000, 3, BigInteger.ZERO, false);
        assertThat(((Plan.Refuse) planner.plan(command(withdraw(1)), noGas)).reason())
                .contains("no gas in slot 1");
    }

    static WithdrawSlotReward withdraw(long slot) {
        return WithdrawSlotReward.newBuilder().setSlot(slot).build();
    }
}
