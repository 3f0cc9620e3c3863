package io.emeth.admin.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.admin.Seeds;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.support.ItDatabases;
import io.emeth.admin.support.ItKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Two admin-rpc sinks on one MariaDB database (an operator starting a second instance by mistake,
 * or a rolling restart): both read every partition and both try to apply the same batches. Each
 * batch locks its partitions' offset rows, which exist from the assignment on, so the second sink
 * waits, then sees the records applied and skips them: the append-only training log has no
 * duplicate row.
 */
class TwoSinksOneDatabaseIT {
    @Test
    void shouldApplyEachRecordOnceWhenTwoSinksShareAMariaDb() throws Exception {
        // Given two sinks starting together on one fresh MariaDB database (each its own pool)
        ItKafka kafka = ItKafka.topics("two-sinks");
        ItDatabases.MariaDb maria = ItDatabases.freshMariaDb();
        try (Database a = maria.open();
                Database b = maria.open()) {
            CompletableFuture<Integer> migrateA = CompletableFuture.supplyAsync(() -> migrate(a));
            CompletableFuture<Integer> migrateB = CompletableFuture.supplyAsync(() -> migrate(b));
            assertThat(migrateA.get()).isEqualTo(SinkSchema.VERSION);
            assertThat(migrateB.get()).isEqualTo(SinkSchema.VERSION);
            try (JdbcSink first = start(a, kafka, "two-sinks-a");
                    JdbcSink second = start(b, kafka, "two-sinks-b")) {
                // both have assigned their six partitions and created their offset rows
                await().atMost(Duration.ofSeconds(60))
                        .until(
                                () ->
                                        SinkDatabaseIT.count(a, "SELECT COUNT(*) FROM sink_offsets")
                                                == 6);

                // When 200 training events arrive, in 20 small batches each
                for (int wave = 0; wave < 10; wave++) {
                    JdbcSinkIT.publishEvents(kafka, JdbcSinkIT.shards(1 + wave * 20, 20));
                }

                // Then every event is in the training log exactly once
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> JdbcSinkIT.storedOffsetsSum(a) == 200);
                assertThat(SinkDatabaseIT.count(a, "SELECT COUNT(*) FROM training_log"))
                        .isEqualTo(200);
                assertThat(
                                SinkDatabaseIT.count(
                                        a, "SELECT COUNT(DISTINCT epoch) FROM training_log"))
                        .isEqualTo(200);
                assertThat(SinkDatabaseIT.count(a, "SELECT COUNT(*) FROM sink_rejects")).isZero();
            }
        }
    }

    private static int migrate(Database db) {
        try {
            return SinkSchema.migrate(db);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JdbcSink start(Database db, ItKafka kafka, String group) {
        return JdbcSink.start(
                db,
                kafka.catalog(),
                SinkSettings.of(ItKafka.bootstrapServers(), Seeds.NODE)
                        .withGroupId(kafka.prefix() + group)
                        .withMaxPollRecords(10),
                new SimpleMeterRegistry());
    }
}
