package io.emeth.schemas;

import static io.emeth.schemas.EventSamples.AT;
import static io.emeth.schemas.EventSamples.CONTRACT;
import static io.emeth.schemas.EventSamples.FEE_ABOVE_2_POW_63;
import static io.emeth.schemas.EventSamples.JOB_ID;
import static io.emeth.schemas.EventSamples.MAX_UINT256;
import static io.emeth.schemas.EventSamples.NODE;
import static io.emeth.schemas.EventSamples.OWNER;

import io.emeth.schemas.EventSamples.Sample;
import io.emeth.schemas.avro.ChainPosition;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.ChainLogRejected;
import io.emeth.schemas.avro.chain.ChainNodeEvent;
import io.emeth.schemas.avro.chain.ChainReorgDetected;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.schemas.avro.chain.JobCanceled;
import io.emeth.schemas.avro.chain.JobEventsRewound;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.chain.PenaltyApplied;
import io.emeth.schemas.avro.chain.RawLog;
import io.emeth.schemas.avro.chain.RecentBlock;
import io.emeth.schemas.avro.chain.RewardGranted;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.JournalTx;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.gateway.TxFailed;
import io.emeth.schemas.avro.gateway.TxFailureKind;
import io.emeth.schemas.avro.gateway.TxJournal;
import io.emeth.schemas.avro.gateway.TxSent;
import io.emeth.schemas.avro.gateway.WithdrawSlotReward;
import java.math.BigDecimal;
import java.util.List;

/** Samples of the chain-side topics (indexer and gateway) for {@link EventSamples}. */
final class ChainSamples {
    private ChainSamples() {}

    static ChainPosition position() {
        return ChainPosition.newBuilder()
                .setBlockNumber(12_345_678L)
                .setBlockHash("0x" + "ab".repeat(32))
                .setTxHash("0x" + "cd".repeat(32))
                .setLogIndex(7)
                .build();
    }

    static ModelRef model(String name) {
        return ModelRef.newBuilder()
                .setUri("models/" + name + ".params")
                .setSha256("e3".repeat(32))
                .setSizeBytes(4_194_304L)
                .build();
    }

    static JobRequested jobRequested() {
        return JobRequested.newBuilder()
                .setOwner(OWNER)
                .setFee(FEE_ABOVE_2_POW_63)
                .setDeadline(AT.plusSeconds(86_400))
                .setProgramId(0L)
                .setDataset("wiki-ja-small")
                .setParam("{\"language\": \"ja\", \"epoch\": 2}")
                .setDatasetSizeBytes(8_192L)
                .setRequestedAt(AT)
                .build();
    }

    static List<Sample> chainJobEvents() {
        return List.of(
                jobEvent("JobRequested", jobRequested()),
                jobEvent("JobCanceled", JobCanceled.newBuilder().build()),
                jobEvent(
                        "JobStatusChanged",
                        JobStatusChanged.newBuilder()
                                .setNode(NODE)
                                .setStatus(JobStatus.DECLINED)
                                .build()),
                jobEvent(
                        "JobEventsRewound",
                        JobEventsRewound.newBuilder().setFromBlock(12_345_600L).build()));
    }

    private static Sample jobEvent(String description, Object payload) {
        return new Sample(
                description,
                Topics.CHAIN_JOB_EVENTS,
                JOB_ID,
                ChainJobEvent.newBuilder()
                        .setJobId(JOB_ID)
                        .setPosition(position())
                        .setPayload(payload)
                        .build());
    }

    static List<Sample> chainNodeEvents() {
        return List.of(
                nodeEvent(
                        "RewardGranted",
                        RewardGranted.newBuilder().setSlot(19_700L).setGas(9_000L).build()),
                nodeEvent(
                        "PenaltyApplied",
                        PenaltyApplied.newBuilder().setSlashed(MAX_UINT256).build()));
    }

    private static Sample nodeEvent(String description, Object payload) {
        return new Sample(
                description,
                Topics.CHAIN_NODE_EVENTS,
                NODE,
                ChainNodeEvent.newBuilder()
                        .setNode(NODE)
                        .setPosition(position())
                        .setPayload(payload)
                        .build());
    }

    static IndexerCheckpoint checkpoint() {
        return IndexerCheckpoint.newBuilder()
                .setContract(CONTRACT)
                .setBlockNumber(12_345_678L)
                .setBlockHash("0x" + "ab".repeat(32))
                .setRecordedAt(AT)
                .setRecentBlocks(
                        List.of(
                                RecentBlock.newBuilder()
                                        .setNumber(12_345_677L)
                                        .setHash("0x" + "aa".repeat(32))
                                        .setJobIds(List.of())
                                        .build(),
                                RecentBlock.newBuilder()
                                        .setNumber(12_345_678L)
                                        .setHash("0x" + "ab".repeat(32))
                                        .setJobIds(List.of(JOB_ID))
                                        .build()))
                .build();
    }

    static List<Sample> chainAlerts() {
        RawLog log =
                RawLog.newBuilder()
                        .setAddress(CONTRACT)
                        .setTopics(List.of("0x" + "11".repeat(32), "0x" + "22".repeat(32)))
                        .setData("0xdeadbeef")
                        .setPosition(position())
                        .build();
        return List.of(
                alert(
                        "ChainReorgDetected",
                        ChainReorgDetected.newBuilder()
                                .setForkBlockNumber(12_345_600L)
                                .setDepth(14)
                                .setOldHash("0x" + "01".repeat(32))
                                .setNewHash("0x" + "02".repeat(32))
                                .build()),
                alert(
                        "ChainLogRejected",
                        ChainLogRejected.newBuilder()
                                .setReason("param of job " + JOB_ID + " is not JSON: 'epoch=2'")
                                .setLog(log)
                                .build()));
    }

    private static Sample alert(String description, Object payload) {
        return new Sample(
                description,
                Topics.CHAIN_ALERTS,
                CONTRACT,
                ChainAlert.newBuilder()
                        .setContract(CONTRACT)
                        .setDetectedAt(AT)
                        .setPayload(payload)
                        .build());
    }

    static List<Sample> chainCommands() {
        return List.of(
                command("ProcessJob", ProcessJob.newBuilder().setJobId(JOB_ID).build()),
                command(
                        "SubmitResult",
                        SubmitResult.newBuilder()
                                .setJobId(JOB_ID)
                                .setResultFileName("results/" + JOB_ID + ".tar")
                                .build()),
                command(
                        "DeclineJob",
                        DeclineJob.newBuilder()
                                .setJobId(JOB_ID)
                                .setReason("workers lost, capacity short of the deadline")
                                .build()),
                command(
                        "WithdrawSlotReward",
                        WithdrawSlotReward.newBuilder()
                                .setSlot(19_700L)
                                .setExpectedReward(FEE_ABOVE_2_POW_63)
                                .build()));
    }

    private static Sample command(String description, Object payload) {
        return new Sample(
                description,
                Topics.CHAIN_COMMANDS,
                NODE,
                ChainCommand.newBuilder()
                        .setCommandId("cmd-" + description + "-" + JOB_ID)
                        .setAccount(NODE)
                        .setIssuedAt(AT)
                        .setPayload(payload)
                        .build());
    }

    static List<Sample> chainTxResults() {
        return List.of(
                txResult(
                        "TxSent",
                        ChainAction.APPROVE,
                        TxSent.newBuilder()
                                .setTxHash("0x" + "aa".repeat(32))
                                .setNonce(42L)
                                .setMaxFeePerGas(FEE_ABOVE_2_POW_63)
                                .setMaxPriorityFeePerGas(BigDecimal.valueOf(1_500_000_000L))
                                .setGasLimit(210_000L)
                                .setTo(CONTRACT)
                                .setReplacesTxHash("0x" + "bb".repeat(32))
                                .build()),
                txResult(
                        "TxConfirmed",
                        ChainAction.PROCESS_JOB,
                        TxConfirmed.newBuilder()
                                .setTxHash("0x" + "aa".repeat(32))
                                .setBlockNumber(12_345_679L)
                                .setGasUsed(98_765L)
                                .build()),
                txResult(
                        "TxFailed",
                        ChainAction.SUBMIT_RESULT,
                        TxFailed.newBuilder()
                                .setReason(
                                        "job " + JOB_ID + " is CANCELED on chain, not PROCESSING")
                                .setTxHash(null)
                                .setKind(TxFailureKind.PRECONDITION)
                                .build()));
    }

    private static Sample txResult(String description, ChainAction action, Object payload) {
        String commandId = "cmd-" + description + "-" + JOB_ID;
        return new Sample(
                description,
                Topics.CHAIN_TX_RESULTS,
                commandId,
                ChainTxResult.newBuilder()
                        .setCommandId(commandId)
                        .setAccount(NODE)
                        .setAt(AT)
                        .setAction(action)
                        .setJobId(JOB_ID)
                        .setPayload(payload)
                        .build());
    }

    static List<Sample> chainTxJournal() {
        String commandId = "cmd-TxJournal-" + JOB_ID;
        JournalTx approve =
                JournalTx.newBuilder()
                        .setAction(ChainAction.APPROVE)
                        .setNonce(41L)
                        .setTxHash("0x" + "cc".repeat(32))
                        .setRawTx("0x02f8" + "ab".repeat(100))
                        .setMaxFeePerGas(FEE_ABOVE_2_POW_63)
                        .setMaxPriorityFeePerGas(BigDecimal.valueOf(1_500_000_000L))
                        .setGasLimit(60_000L)
                        .build();
        JournalTx process =
                JournalTx.newBuilder(approve)
                        .setAction(ChainAction.PROCESS_JOB)
                        .setNonce(42L)
                        .setTxHash("0x" + "aa".repeat(32))
                        .setGasLimit(210_000L)
                        .build();
        ChainTxResult outcome =
                (ChainTxResult)
                        chainTxResults().stream()
                                .filter(s -> s.description().equals("TxConfirmed"))
                                .findFirst()
                                .orElseThrow()
                                .value();
        return List.of(
                new Sample(
                        "TxJournal in flight",
                        Topics.CHAIN_TX_JOURNAL,
                        commandId,
                        TxJournal.newBuilder()
                                .setCommandId(commandId)
                                .setAccount(NODE)
                                .setJobId(JOB_ID)
                                .setAt(AT)
                                .setTxs(List.of(approve))
                                .setOutcome(null)
                                .build()),
                new Sample(
                        "TxJournal with outcome",
                        Topics.CHAIN_TX_JOURNAL,
                        commandId,
                        TxJournal.newBuilder()
                                .setCommandId(commandId)
                                .setAccount(NODE)
                                .setJobId(JOB_ID)
                                .setAt(AT)
                                .setTxs(List.of(approve, process))
                                .setOutcome(outcome)
                                .build()));
    }
}
