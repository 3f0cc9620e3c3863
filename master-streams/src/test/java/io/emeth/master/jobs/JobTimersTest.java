package io.emeth.master.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.Member;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.testing.MockStores;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.ChainPosition;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.master.JobRecordState;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job coordinator's timer punctuator, driven with {@link MockProcessorContext}. */
class JobTimersTest {
    private static final long T0 = 1_900_000_000_000L;
    private static final String JOB = "0x" + "34".repeat(16);
    private static final String A = TestConfigs.worker(1).address();
    private static final String B = TestConfigs.worker(2).address();

    private final MasterStreamsConfig config = TestConfigs.config("nvm");
    private MockProcessorContext<String, Object> context;
    private JobCoordinator coordinator;
    private JobTimers timers;

    @BeforeEach
    void processEpochOne() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(T0);
        MockStores.add(
                context,
                JobCoordinator.JOBS_STORE,
                MasterSerde.of(TestConfigs.mockTopics(), JobRecord.class, JobRecordState.class));
        MockStores.add(context, JobCoordinator.TIMERS_STORE, Serdes.String());
        coordinator = new JobCoordinator(config);
        coordinator.init(context);
        timers = (JobTimers) context.scheduledPunctuators().get(0).getPunctuator();

        // Given a processing job whose epoch-1 shards are all in at T0
        chain(
                JobRequested.newBuilder()
                        .setOwner(A)
                        .setFee(new BigDecimal(TestConfigs.emt(20)))
                        .setDeadline(Instant.ofEpochMilli(T0 + 200_000_000))
                        .setProgramId(0)
                        .setDataset("d.txt")
                        .setParam("{\"epoch\": 2}")
                        .setDatasetSizeBytes(4_096L)
                        .setRequestedAt(Instant.ofEpochMilli(T0))
                        .build());
        process(
                new JobMessage.Matched(
                        JOB, 1, List.of(new Member(A, 0, 40), new Member(B, 1, 40))));
        chain(
                JobStatusChanged.newBuilder()
                        .setNode(config.poolId())
                        .setStatus(JobStatus.PROCESSING)
                        .build());
        shard(A);
        shard(B);
        context.resetForwards();
    }

    @Test
    void shouldLeaveTheRoundAloneBeforeTheAggregationTimeout() {
        // checkpoint 60 s + heartbeat timeout 30 s
        context.setCurrentSystemTimeMs(T0 + 89_999);
        timers.punctuate(T0 + 89_999);
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void shouldDropAStalledAggregatorAndHandTheRoundToTheNext() {
        // When the timer is due
        context.setCurrentSystemTimeMs(T0 + 90_000);
        timers.punctuate(T0 + 90_000);

        // Then the pool drops A and B is told to aggregate epoch 1
        assertThat(context.forwarded(Outbox.POOL_INBOX_SINK))
                .extracting(f -> f.record().value())
                .singleElement()
                .isInstanceOfSatisfying(
                        PoolMessage.WorkerDropped.class, d -> assertThat(d.worker()).isEqualTo(A));
        List<WorkerAssignment> sent =
                context.forwarded(Outbox.ASSIGNMENTS_SINK).stream()
                        .map(f -> (WorkerAssignment) f.record().value())
                        .toList();
        assertThat(sent)
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.getWorker()).isEqualTo(B);
                            RoundOpened round = (RoundOpened) a.getPayload();
                            assertThat(round.getEpoch()).isEqualTo(1);
                            assertThat(round.getAggregator()).isEqualTo(B);
                            assertThat(round.getParticipants()).containsExactly(B);
                        });
        JobView view = (JobView) context.forwarded(Outbox.JOB_STATUS_SINK).get(0).record().value();
        assertThat(view.getLastError()).contains("did not publish RoundAggregated");

        // And A's timer fires once; B gets a full wait of its own
        context.resetForwards();
        context.setCurrentSystemTimeMs(T0 + 179_999);
        timers.punctuate(T0 + 179_999);
        assertThat(context.forwarded(Outbox.POOL_INBOX_SINK)).isEmpty();
    }

    @Test
    void shouldDeleteAFinishedJobFromTheStoreAfterItsRetention() {
        // Given the job declined on chain at T0 (its workers released)
        chain(
                JobStatusChanged.newBuilder()
                        .setNode(config.poolId())
                        .setStatus(JobStatus.DECLINED)
                        .build());
        @SuppressWarnings("unchecked")
        var store =
                (org.apache.kafka.streams.state.KeyValueStore<String, JobRecord>)
                        context.getStateStore(JobCoordinator.JOBS_STORE);
        assertThat(store.get(JOB).state).isEqualTo(io.emeth.schemas.avro.view.JobState.DECLINED);
        long retention = config.retention().jobs().toMillis();

        // When the timers run 1 ms before and at the end of its retention
        context.setCurrentSystemTimeMs(T0 + retention - 1);
        timers.punctuate(T0 + retention - 1);
        assertThat(store.get(JOB)).isNotNull();
        context.setCurrentSystemTimeMs(T0 + retention);
        timers.punctuate(T0 + retention);

        // Then the job has left the store (its last view stays on job-status)
        assertThat(store.get(JOB)).isNull();
    }

    private void chain(Object payload) {
        process(
                ChainJobEvent.newBuilder()
                        .setJobId(JOB)
                        .setPosition(
                                ChainPosition.newBuilder()
                                        .setBlockNumber(1)
                                        .setBlockHash("0x01")
                                        .setTxHash("0x02")
                                        .setLogIndex(0)
                                        .build())
                        .setPayload(payload)
                        .build());
    }

    private void shard(String worker) {
        process(
                TrainingEvent.newBuilder()
                        .setJobId(JOB)
                        .setAttempt(1)
                        .setWorker(worker)
                        .setAt(Instant.ofEpochMilli(T0))
                        .setSignature("0x00")
                        .setPayload(
                                ShardTrained.newBuilder()
                                        .setEpoch(1)
                                        .setRank(0)
                                        .setModel(
                                                ModelRef.newBuilder()
                                                        .setUri("m")
                                                        .setSha256("0".repeat(64))
                                                        .setSizeBytes(1)
                                                        .build())
                                        .setLoss(1)
                                        .setTokens(1)
                                        .setDurationMs(1)
                                        .build())
                        .build());
    }

    private void process(Object value) {
        coordinator.process(new Record<>(JOB, value, context.currentSystemTimeMs()));
    }
}
