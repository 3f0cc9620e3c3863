package io.emeth.admin.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.admin.Seeds;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.support.ItKafka;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC sink in this JVM against the real broker and registry: views and training events land in
 * the tables, a record that does not decode goes to sink_rejects without stalling, a restart
 * resumes from the database's offsets, and a new database is rebuilt from the topics' start
 * whatever Kafka's committed offsets say.
 */
class JdbcSinkIT {
    @TempDir Path folder;

    @Test
    void shouldProjectTopicsIntoTheTablesAndRejectABadRecord() throws Exception {
        // Given views, events, a record that is not Avro and a tombstone on the topics
        ItKafka kafka = ItKafka.topics("sink");
        String job = Seeds.jobId(11);
        publishViews(
                kafka,
                List.of(
                        Seeds.job(job, JobState.PROCESSING, JobStatus.PROCESSING, 2.2),
                        Seeds.requested(Seeds.jobId(12))));
        kafka.publishRaw(
                kafka.catalog().jobStatus().name(),
                Seeds.jobId(13).getBytes(StandardCharsets.UTF_8),
                "garbage".getBytes(StandardCharsets.UTF_8));
        kafka.publish(
                kafka.catalog().jobStatus(),
                List.of(new SimpleEntry<>(Seeds.jobId(12), (JobView) null)));
        kafka.publish(
                kafka.catalog().workerStatus(),
                List.of(
                        new SimpleEntry<>(
                                Seeds.WORKER,
                                Seeds.worker(Seeds.WORKER, Seeds.NODE, WorkerState.TRAINING))));
        publishEvents(
                kafka, List.of(Seeds.shard(job, Seeds.WORKER, 1, 2.5), Seeds.round(job, 2, 1.9)));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();

        // When the sink runs
        try (Database db = Database.sqlite(folder.resolve("a.db"));
                JdbcSink sink = start(db, kafka, "sink-a", meters)) {
            ReadModel read = new ReadModel(db);

            // Then every good record is in the tables
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(
                            () -> {
                                assertThat(read.jobList())
                                        .extracting(r -> r.jobId())
                                        .containsExactly(job);
                                assertThat(read.job(job).orElseThrow().summary().losses())
                                        .extracting(l -> l.epoch())
                                        .containsExactly(1, 2);
                                assertThat(read.job(job).orElseThrow().history()).hasSize(2);
                                assertThat(read.workers()).hasSize(1);
                                // the tombstone removed the ineligible job from the board
                                assertThat(read.job(Seeds.jobId(12))).isEmpty();
                            });
            // and the bad record is kept in sink_rejects with its bytes and why, the sink healthy
            db.read(
                    c -> {
                        try (var rows =
                                c.createStatement()
                                        .executeQuery(
                                                "SELECT topic, error, raw_key, raw_value FROM"
                                                        + " sink_rejects")) {
                            assertThat(rows.next()).isTrue();
                            assertThat(rows.getString(1))
                                    .isEqualTo(kafka.catalog().jobStatus().name());
                            assertThat(rows.getString(2)).contains("magic byte");
                            assertThat(new String(rows.getBytes(3), StandardCharsets.UTF_8))
                                    .isEqualTo(Seeds.jobId(13));
                            assertThat(new String(rows.getBytes(4), StandardCharsets.UTF_8))
                                    .isEqualTo("garbage");
                            assertThat(rows.next()).isFalse();
                        }
                        return null;
                    });
            assertThat(
                            meters.counter(
                                            "emeth_sink_records_rejected",
                                            "topic",
                                            kafka.catalog().jobStatus().name())
                                    .count())
                    .isEqualTo(1.0);
            assertThat(sink.status().healthy()).isTrue();
        }
    }

    @Test
    void shouldResumeFromTheDatabaseOffsetsAndRebuildANewDatabase() throws Exception {
        // Given 30 training events consumed by a first run
        ItKafka kafka = ItKafka.topics("sink-resume");
        publishEvents(kafka, shards(1, 30));
        try (Database db = Database.sqlite(folder.resolve("b.db"))) {
            try (JdbcSink sink = start(db, kafka, "sink-b", new SimpleMeterRegistry())) {
                await().atMost(Duration.ofSeconds(60))
                        .until(
                                () ->
                                        SinkDatabaseIT.count(
                                                        db, "SELECT COUNT(*) FROM training_log")
                                                == 30);
            }

            // When 20 more arrive and the sink restarts on the same database
            publishEvents(kafka, shards(31, 20));
            try (JdbcSink sink = start(db, kafka, "sink-b", new SimpleMeterRegistry())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> storedOffsetsSum(db) == 50);
            }

            // Then every event is there exactly once
            assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM training_log")).isEqualTo(50);
            assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(DISTINCT epoch) FROM training_log"))
                    .isEqualTo(50);
        }

        // And a new, empty database with the same consumer group gets everything from the start
        try (Database fresh = Database.sqlite(folder.resolve("c.db"));
                JdbcSink sink = start(fresh, kafka, "sink-b", new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    SinkDatabaseIT.count(fresh, "SELECT COUNT(*) FROM training_log")
                                            == 50);
        }
    }

    @Test
    void shouldWaitForMissingTopicsAndReportItThenConsume() throws Exception {
        // Given a sink started before its topics exist
        ItKafka kafka = ItKafka.uncreated("sink-late");
        try (Database db = Database.sqlite(folder.resolve("d.db"));
                JdbcSink sink = start(db, kafka, "sink-d", new SimpleMeterRegistry())) {
            // Then it stays up, reporting why it is not healthy
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> sink.status().describe().startsWith("cannot read Kafka"));
            assertThat(sink.status().describe()).contains(kafka.catalog().jobStatus().name());

            // When the topics appear with records
            kafka.create();
            publishEvents(kafka, shards(1, 5));

            // Then it consumes them and is healthy again
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM training_log")
                                            == 5);
            assertThat(sink.status().healthy()).isTrue();
        }
    }

    static JdbcSink start(Database db, ItKafka kafka, String group, SimpleMeterRegistry meters)
            throws Exception {
        SinkSchema.migrate(db);
        return JdbcSink.start(
                db,
                kafka.catalog(),
                SinkSettings.of(ItKafka.bootstrapServers(), Seeds.NODE)
                        .withGroupId(kafka.prefix() + group)
                        .withMaxPollRecords(7),
                meters);
    }

    static List<TrainingEvent> shards(int firstEpoch, int count) {
        List<TrainingEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // the key is the job id: these ten jobs spread the events over both partitions
            events.add(
                    Seeds.shard(
                            Seeds.jobId(1000 + (firstEpoch + i) % 10),
                            Seeds.WORKER,
                            firstEpoch + i,
                            2.0));
        }
        return events;
    }

    static void publishEvents(ItKafka kafka, List<TrainingEvent> events) {
        List<Map.Entry<String, TrainingEvent>> records = new ArrayList<>();
        events.forEach(e -> records.add(new SimpleEntry<>(e.getJobId(), e)));
        kafka.publish(kafka.catalog().trainingEvents(), records);
    }

    static void publishViews(ItKafka kafka, List<JobView> views) {
        List<Map.Entry<String, JobView>> records = new ArrayList<>();
        views.forEach(v -> records.add(new SimpleEntry<>(v.getJobId(), v)));
        kafka.publish(kafka.catalog().jobStatus(), records);
    }

    static void publishWorkers(ItKafka kafka, List<WorkerView> views) {
        List<Map.Entry<String, WorkerView>> records = new ArrayList<>();
        views.forEach(v -> records.add(new SimpleEntry<>(v.getWorker(), v)));
        kafka.publish(kafka.catalog().workerStatus(), records);
    }

    static long storedOffsetsSum(Database db) throws Exception {
        return SinkDatabaseIT.count(db, "SELECT COALESCE(SUM(next_offset), 0) FROM sink_offsets");
    }
}
