package io.emeth.schemas;

import io.emeth.schemas.avro.ChainPosition;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.view.ContributionStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.JobWorker;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * One sample of every event type: every payload branch of every envelope, and both views, with
 * realistic values (a fee above 2^63 wei, the largest uint256). Tests send them through serdes and
 * brokers and compare what comes back.
 */
public final class EventSamples {
    /** A sample value, the topic (unprefixed name) it belongs on, and its record key. */
    public record Sample(String description, String topic, String key, SpecificRecord value) {}

    public static final String JOB_ID = "0x0123456789abcdef0123456789abcdef";
    public static final String OWNER = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4";
    public static final String NODE = "0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2";
    public static final String WORKER = "0x4B20993Bc481177ec7E8f571ceCaE8A9e22C02db";
    public static final String WORKER_2 = "0x78731D3Ca6b7E34aC0F824c42a7cC18A495cabaB";
    public static final String CONTRACT = "0x617F2E2fD72FD9D5503197092aC168c91465E7f2";
    public static final BigDecimal FEE_ABOVE_2_POW_63 =
            new BigDecimal(BigInteger.TWO.pow(64).add(BigInteger.valueOf(123_456_789)));
    public static final BigDecimal MAX_UINT256 =
            new BigDecimal(BigInteger.TWO.pow(256).subtract(BigInteger.ONE));
    public static final Instant AT = Instant.ofEpochMilli(1_700_000_000_123L);

    private EventSamples() {}

    /** Every sample, grouped by topic in the order of {@link Topics#all()}. */
    public static List<Sample> all() {
        List<Sample> samples = new ArrayList<>();
        samples.addAll(ChainSamples.chainJobEvents());
        samples.addAll(ChainSamples.chainNodeEvents());
        samples.add(
                new Sample(
                        "IndexerCheckpoint", Topics.INDEXER_CHECKPOINTS, CONTRACT, checkpoint()));
        samples.addAll(ChainSamples.chainAlerts());
        samples.addAll(ChainSamples.chainCommands());
        samples.addAll(ChainSamples.chainTxResults());
        samples.addAll(ChainSamples.chainTxJournal());
        samples.addAll(WorkerSamples.workerEvents());
        samples.addAll(WorkerSamples.workerAssignments());
        samples.addAll(WorkerSamples.trainingEvents());
        samples.addAll(WorkerSamples.adminCommands());
        samples.add(new Sample("JobView", Topics.JOB_STATUS, JOB_ID, jobView()));
        samples.add(new Sample("WorkerView", Topics.WORKER_STATUS, WORKER, workerView()));
        return samples;
    }

    public static ChainPosition position() {
        return ChainSamples.position();
    }

    public static ModelRef model(String name) {
        return ChainSamples.model(name);
    }

    public static JobRequested jobRequested() {
        return ChainSamples.jobRequested();
    }

    public static IndexerCheckpoint checkpoint() {
        return ChainSamples.checkpoint();
    }

    public static TrainingAssigned trainingAssigned() {
        return WorkerSamples.trainingAssigned();
    }

    public static JobView jobView() {
        return JobView.newBuilder()
                .setJobId(JOB_ID)
                .setState(JobState.PROCESSING)
                .setFee(MAX_UINT256)
                .setDeadline(AT.plusSeconds(86_400))
                .setDatasetSizeBytes(8_192L)
                .setProgramId(0L)
                .setAttempt(1)
                .setWorkers(
                        List.of(
                                JobWorker.newBuilder()
                                        .setWorker(WORKER)
                                        .setRank(0)
                                        .setStatus(ContributionStatus.NONE)
                                        .setStartedAt(AT)
                                        .setEndedAt(null)
                                        .setContribution(0)
                                        .build(),
                                JobWorker.newBuilder()
                                        .setWorker(WORKER_2)
                                        .setRank(1)
                                        .setStatus(ContributionStatus.DISCONNECTED)
                                        .setStartedAt(AT)
                                        .setEndedAt(AT.plusSeconds(60))
                                        .setContribution(0)
                                        .build()))
                .setEpoch(1)
                .setEpochs(2)
                .setLosses(List.of(2.1))
                .setChainStatus(JobStatus.PROCESSING)
                .setNode(NODE)
                .setUpdatedAt(AT)
                .setLastError(null)
                .setOwner(OWNER)
                .setDataset("wiki-ja-small")
                .setRequestedAt(AT)
                .setResultFileName(null)
                .build();
    }

    public static WorkerView workerView() {
        return WorkerView.newBuilder()
                .setWorker(WORKER)
                .setPool(NODE)
                .setState(WorkerState.TRAINING)
                .setPowerCapacity(2_000L)
                .setDevice("cpu")
                .setUrl("http://10.0.0.7:5000")
                .setPhase(WorkerPhase.LEARNING)
                .setJobId(JOB_ID)
                .setLastHeartbeatAt(AT)
                .setUpdatedAt(AT)
                .setAttempt(1)
                .setEpoch(2)
                .setProgress(0.5)
                .setLastError(null)
                .build();
    }
}
