package io.emeth.admin.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.admin.Seeds;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.support.ItKafka;
import io.emeth.admin.support.TcpRelay;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.Ports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted sink (empty schema cache) whose schema registry is down for 30 s while records keep
 * arriving: before, every record counted as bad and was skipped with its offset committed, so the
 * whole backlog was lost. Now the sink retries the batch until the registry answers again; then
 * every record lands once, none is rejected, none skipped.
 */
class SinkRegistryOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir Path folder;

    private static int registryPort() {
        return java.net.URI.create(ItKafka.registryUrl()).getPort();
    }

    @Test
    void shouldLoseAndSkipNothingWhileTheRegistryIsDown() throws Exception {
        // Given a backlog on the topics, written through the running registry
        ItKafka kafka = ItKafka.topics("sink-outage");
        String job = Seeds.jobId(31);
        JdbcSinkIT.publishViews(
                kafka, List.of(Seeds.job(job, JobState.PROCESSING, JobStatus.PROCESSING, 2.2)));
        JdbcSinkIT.publishEvents(kafka, JdbcSinkIT.shards(1, 20));
        int published = 1 + 20;

        // And a sink whose registry address (a relay to the JVM's registry) answers nothing
        int port = Ports.free();
        Topics sinkTopics =
                Topics.create(SerdeConfig.of("http://127.0.0.1:" + port), kafka.prefix());
        try (Database db = Database.sqlite(folder.resolve("outage.db"))) {
            SinkSchema.migrate(db);
            try (JdbcSink sink =
                    JdbcSink.start(
                            db,
                            sinkTopics,
                            SinkSettings.of(ItKafka.bootstrapServers(), Seeds.NODE)
                                    .withGroupId(kafka.prefix() + "outage")
                                    .withMaxPollRecords(7),
                            new SimpleMeterRegistry())) {
                // When records keep flowing for the 30 s of the outage
                long end = System.nanoTime() + OUTAGE.toNanos();
                int epoch = 21;
                while (System.nanoTime() < end) {
                    JdbcSinkIT.publishEvents(kafka, JdbcSinkIT.shards(epoch, 2));
                    epoch += 2;
                    published += 2;
                    Thread.sleep(2_000); // the pace of the traffic, not a wait for a result
                }

                // Then nothing was applied, rejected or skipped, and the sink says it is failing
                assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM training_log")).isZero();
                assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM sink_rejects")).isZero();
                assertThat(JdbcSinkIT.storedOffsetsSum(db)).isZero();
                assertThat(sink.status().healthy()).isFalse();
                assertThat(sink.status().describe()).contains("registry");

                // When the registry is back at its address
                int total = published;
                try (TcpRelay registry = TcpRelay.start(port, registryPort())) {
                    // Then every record lands exactly once and none is rejected
                    await().atMost(Duration.ofSeconds(120))
                            .until(() -> JdbcSinkIT.storedOffsetsSum(db) == total);
                    assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM training_log"))
                            .isEqualTo(total - 1);
                    assertThat(
                                    SinkDatabaseIT.count(
                                            db, "SELECT COUNT(DISTINCT epoch) FROM training_log"))
                            .isEqualTo(total - 1);
                    assertThat(new ReadModel(db).job(job)).isPresent();
                    assertThat(SinkDatabaseIT.count(db, "SELECT COUNT(*) FROM sink_rejects"))
                            .isZero();
                    await().atMost(Duration.ofSeconds(30)).until(() -> sink.status().healthy());
                }
            }
        }
    }
}
