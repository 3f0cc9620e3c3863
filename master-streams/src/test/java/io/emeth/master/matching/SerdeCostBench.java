package io.emeth.master.matching;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.emeth.master.avro.MasterSerde;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.master.JobInboxRecord;
import io.emeth.schemas.avro.master.PoolInboxRecord;
import io.emeth.schemas.avro.master.PoolJobState;
import io.emeth.schemas.avro.master.PoolWorkerState;
import io.emeth.schemas.avro.view.WorkerState;
import java.util.ArrayList;
import java.util.List;

/**
 * The cost of one write and one read of the master's internal records (not a test): the Avro serdes
 * of today against the JSON mapper the master used before (the same Jackson settings), per record
 * kind, in ns per round trip and bytes per record; single thread, after warm-up.
 *
 * <p>Run: {@code mvn -o -q -pl master-streams test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt && java -cp
 * master-streams/target/test-classes:master-streams/target/classes:$(cat
 * master-streams/target/cp.txt) io.emeth.master.matching.SerdeCostBench}
 */
public final class SerdeCostBench {
    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                    .visibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
                    .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
                    .serializationInclusion(JsonInclude.Include.NON_NULL)
                    .build();
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 300_000);

    private SerdeCostBench() {}

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.emeth"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Topics topics = TestConfigs.mockTopics();
        JobPlan plan =
                new JobPlan(
                        "0x" + "ab".repeat(16),
                        TestConfigs.emt(20),
                        1_900_000_000_000L,
                        1_899_900_000_000L,
                        1_048_576,
                        "dataset-0001.txt",
                        0,
                        2,
                        "en",
                        5_822,
                        58);
        PoolWorker worker = new PoolWorker("0x" + "12".repeat(20), "0x" + "34".repeat(20));
        worker.powerCapacity = 120;
        worker.device = "cuda:0";
        worker.url = "http://10.0.0.7:8080";
        worker.state = WorkerState.RESERVED;
        worker.jobId = plan.jobId();
        worker.attempt = 1;
        worker.registeredAt = 1_899_900_000_000L;
        worker.reservedAt = 1_899_900_001_000L;
        worker.lastSeenAt = 1_899_900_002_000L;
        worker.heartbeatTimeoutMs = 30_000;
        worker.phase = WorkerPhase.LEARNING;
        worker.models = new ArrayList<>(List.of("gpt2-medium"));
        PoolJob job = new PoolJob(plan, 1);
        job.active = true;
        job.attempt = 1;
        job.members =
                new ArrayList<>(
                        List.of(
                                new Member(worker.worker, 0, 120),
                                new Member("0x" + "56".repeat(20), 1, 80),
                                new Member("0x" + "78".repeat(20), 2, 40)));

        System.out.println("== master internal records: JSON (before) vs Avro (now), 1 thread ==");
        System.out.printf(
                "%-28s %12s %12s %10s %10s%n", "record", "JSON ns", "Avro ns", "JSON B", "Avro B");
        row(
                "PoolWorker (store)",
                worker,
                PoolWorker.class,
                MasterSerde.of(topics, PoolWorker.class, PoolWorkerState.class),
                "w-changelog");
        row(
                "PoolJob (store)",
                job,
                PoolJob.class,
                MasterSerde.of(topics, PoolJob.class, PoolJobState.class),
                "j-changelog");
        row(
                "PoolMessage.JobOpened",
                new PoolMessage.JobOpened(plan, 1),
                PoolMessage.class,
                MasterSerde.of(topics, PoolMessage.class, PoolInboxRecord.class),
                "pool-inbox");
        row(
                "JobMessage.Matched",
                new JobMessage.Matched(plan.jobId(), 1, job.members),
                JobMessage.class,
                MasterSerde.of(topics, JobMessage.class, JobInboxRecord.class),
                "job-inbox");
    }

    private static <T> void row(
            String name, T value, Class<T> type, MasterSerde<T> avro, String topic)
            throws Exception {
        byte[] json = JSON.writeValueAsBytes(value);
        byte[] bytes = avro.serializer().serialize(topic, value);
        long jsonNs = 0;
        long avroNs = 0;
        for (int pass = 0; pass < 3; pass++) { // the first two warm up
            jsonNs = time(() -> JSON.readValue(JSON.writeValueAsBytes(value), type));
            avroNs =
                    time(
                            () ->
                                    avro.deserializer()
                                            .deserialize(
                                                    topic,
                                                    avro.serializer().serialize(topic, value)));
        }
        System.out.printf(
                "%-28s %12d %12d %10d %10d%n", name, jsonNs, avroNs, json.length, bytes.length);
    }

    private interface Trip {
        Object run() throws Exception;
    }

    /** ns per round trip (write then read). */
    private static long time(Trip trip) throws Exception {
        Object sink = null;
        long t = System.nanoTime();
        for (int i = 0; i < ROUNDS; i++) {
            sink = trip.run();
        }
        long ns = (System.nanoTime() - t) / ROUNDS;
        if (sink == null) {
            throw new IllegalStateException();
        }
        return ns;
    }
}
