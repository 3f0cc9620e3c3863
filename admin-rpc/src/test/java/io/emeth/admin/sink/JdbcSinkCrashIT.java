package io.emeth.admin.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.admin.Seeds;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.support.ItDatabases;
import io.emeth.admin.support.ItKafka;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sink killed between its database commit and its Kafka offset commit, and killed at a random
 * moment, then restarted: every record ends up in the database exactly once. The sink runs as a
 * child JVM ({@link SinkProcessMain}) so that it really dies; {@code training_log} is append-only,
 * so a record applied twice would show as an extra row.
 */
class JdbcSinkCrashIT {
    private static final int EVENTS = 400;
    private static final int VIEWS = 40;

    @TempDir Path folder;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "mariadb"})
    void shouldWriteEveryRecordExactlyOnceAcrossCrashes(String kind) throws Exception {
        // Given 400 training events and 40 job views on the topics
        ItKafka kafka = ItKafka.topics("sink-crash-" + kind);
        JdbcSinkIT.publishEvents(kafka, JdbcSinkIT.shards(1, EVENTS));
        List<JobView> views = new ArrayList<>();
        for (int i = 0; i < VIEWS; i++) {
            views.add(
                    Seeds.job(
                            Seeds.jobId(5000 + i), JobState.PROCESSING, JobStatus.PROCESSING, 2.0));
        }
        JdbcSinkIT.publishViews(kafka, views);
        List<String> database = databaseArgs(kind);
        String group = kafka.prefix() + "sink";

        // When the sink halts right after its third database commit, before the Kafka commit
        Process first = sink(kafka, group, 3, database, "first");
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).as("the sink halted").isTrue();
        assertThat(first.exitValue()).isEqualTo(SinkProcessMain.HALT_STATUS);
        try (Database db = open(database)) {
            long applied =
                    SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM training_log")
                            + SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM job_details");
            // Then the database holds three batches (of up to 25) with their offsets, one per
            // record, and Kafka's committed offsets lag behind them
            long stored = JdbcSinkIT.storedOffsetsSum(db);
            assertThat(applied).isBetween(3L, 75L).isEqualTo(stored);
            assertThat(kafkaCommitted(group)).isLessThan(stored);
        }

        // When it restarts and is SIGKILLed at some point while it works
        Process second = sink(kafka, group, 0, database, "second");
        try (Database db = open(database)) {
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> JdbcSinkIT.storedOffsetsSum(db) > 150);
        }
        second.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        // And restarts once more and runs to the end
        Process third = sink(kafka, group, 0, database, "third");
        try (Database db = open(database)) {
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> JdbcSinkIT.storedOffsetsSum(db) == EVENTS + VIEWS);
            // Then every record is there exactly once
            assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM training_log"))
                    .isEqualTo(EVENTS);
            assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(DISTINCT epoch) FROM training_log"))
                    .isEqualTo(EVENTS);
            assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM job_details"))
                    .isEqualTo(VIEWS);
            assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM jobs")).isEqualTo(VIEWS);
        } finally {
            third.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private List<String> databaseArgs(String kind) throws Exception {
        if (kind.equals("sqlite")) {
            return List.of("sqlite", folder.resolve("crash.db").toString());
        }
        ItDatabases.MariaDb db = ItDatabases.freshMariaDb();
        return List.of("mariadb", db.jdbcUrl(), db.user(), db.password());
    }

    private static Database open(List<String> args) throws Exception {
        Database db =
                args.get(0).equals("sqlite")
                        ? Database.sqlite(Path.of(args.get(1)))
                        : Database.mariadb(args.get(1), args.get(2), args.get(3));
        SinkSchema.migrate(db);
        return db;
    }

    /**
     * Starts the sink JVM: 25 records per batch, halting after batch {@code haltAfter} (0: never).
     */
    private Process sink(
            ItKafka kafka, String group, int haltAfter, List<String> database, String name)
            throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx256m",
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                System.getProperty("java.class.path"),
                                SinkProcessMain.class.getName(),
                                ItKafka.bootstrapServers(),
                                ItKafka.registryUrl(),
                                kafka.prefix(),
                                group,
                                "25",
                                Integer.toString(haltAfter)));
        command.addAll(database);
        Path log =
                Files.createDirectories(Path.of("target", "sink-crash-it"))
                        .resolve(kafka.prefix() + name + ".log");
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(new File("."))
                .start();
    }

    private static long kafkaCommitted(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", ItKafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            return offsets.values().stream()
                    .filter(o -> o != null)
                    .mapToLong(OffsetAndMetadata::offset)
                    .sum();
        }
    }
}
