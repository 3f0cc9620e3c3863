package io.emeth.admin.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.admin.Seeds;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.support.ItDatabases;
import io.emeth.admin.support.ItKafka;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.JobWorker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An operator points the node at the original node's database: the tables its migration created
 * (with its {@code NOT NULL started_at} and, on MySQL, whatever engine and charset the server
 * defaulted to) and the rows it wrote. The sink adopts them (Flyway baseline, then the alterations)
 * and its rows land, a contribution that has not started included, next to the original rows.
 */
class SinkAdoptionIT {
    private static final String OLD_JOB = "0x0000000000000000000000000000abcd";

    @TempDir Path folder;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "mariadb"})
    void shouldAdoptTheOriginalNodesDatabaseAndLandEveryRow(String kind) throws Exception {
        ItKafka kafka = ItKafka.topics("sink-adopt-" + kind);
        try (Database db =
                kind.equals("sqlite")
                        ? ItDatabases.sqlite(folder)
                        : ItDatabases.freshMariaDb().open()) {
            // Given a database created and written by the original node
            runScript(db, "/io/emeth/admin/original/" + kind + ".sql");

            // And a job whose second worker has not started yet (started_at NULL)
            String job = Seeds.jobId(21);
            JobView view = Seeds.job(job, JobState.PROCESSING, JobStatus.PROCESSING, 2.4);
            JobWorker waiting =
                    JobWorker.newBuilder(view.getWorkers().get(0))
                            .setWorker(Seeds.WORKER_2)
                            .setRank(1)
                            .setStartedAt(null)
                            .build();
            view =
                    JobView.newBuilder(view)
                            .setWorkers(List.of(view.getWorkers().get(0), waiting))
                            .build();
            JdbcSinkIT.publishViews(kafka, List.of(view));
            JdbcSinkIT.publishEvents(
                    kafka,
                    List.of(Seeds.shard(job, Seeds.WORKER, 1, 2.5), Seeds.round(job, 1, 2.4)));

            // When the sink starts on it (migrating first)
            try (JdbcSink sink = JdbcSinkIT.start(db, kafka, "adopt", new SimpleMeterRegistry())) {
                // Then the sink's rows land, both contributions included
                await().atMost(Duration.ofSeconds(90))
                        .untilAsserted(
                                () -> {
                                    assertThat(count(db, "SELECT COUNT(*) FROM training_log"))
                                            .isEqualTo(2);
                                    assertThat(
                                                    count(
                                                            db,
                                                            "SELECT COUNT(*) FROM contributions"
                                                                    + " WHERE job_id = '"
                                                                    + job
                                                                    + "'"))
                                            .isEqualTo(2);
                                });
                assertThat(
                                count(
                                        db,
                                        "SELECT COUNT(*) FROM contributions WHERE started_at IS"
                                                + " NULL"))
                        .isEqualTo(1);
                assertThat(count(db, "SELECT COUNT(*) FROM sink_rejects")).isZero();
                assertThat(sink.status().healthy()).isTrue();
            }

            // And the original node's rows are still there, readable through the read model
            assertThat(new ReadModel(db).jobList())
                    .extracting(r -> r.jobId())
                    .containsExactlyInAnyOrder(OLD_JOB, job);
            assertThat(
                            count(
                                    db,
                                    "SELECT COUNT(*) FROM contributions WHERE job_id = '"
                                            + OLD_JOB
                                            + "' AND started_at = 1600000000000 AND contribution ="
                                            + " 100000"))
                    .isEqualTo(1);
            assertThat(count(db, "SELECT slot_index FROM last_node_slot_index")).isEqualTo(3);
            assertThat(count(db, "SELECT COUNT(*) FROM health_check")).isZero();
            // adopted through a baseline, then every migration once
            assertThat(
                            count(
                                    db,
                                    "SELECT COUNT(*) FROM flyway_schema_history WHERE type ="
                                            + " 'BASELINE'"))
                    .isEqualTo(1);
            assertThat(count(db, SinkDatabaseIT.HISTORY)).isEqualTo(SinkSchema.VERSION);
            if (kind.equals("mariadb")) {
                // the sink's transactions need InnoDB on every table it writes
                assertThat(
                                count(
                                        db,
                                        "SELECT COUNT(*) FROM information_schema.tables WHERE"
                                                + " table_schema = DATABASE() AND table_name IN"
                                                + " ('jobs', 'contributions', 'workers') AND"
                                                + " engine <> 'InnoDB'"))
                        .isZero();
            }
        }
    }

    /** Runs a SQL file of {@code ;}-terminated statements, {@code --} lines being comments. */
    static void runScript(Database db, String resource) throws SQLException, IOException {
        String text;
        try (InputStream in = SinkAdoptionIT.class.getResourceAsStream(resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.strip().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        db.read(
                c -> {
                    try (Statement s = c.createStatement()) {
                        for (String statement : sql.toString().split(";")) {
                            if (!statement.isBlank()) {
                                s.execute(statement);
                            }
                        }
                    }
                    return null;
                });
    }

    private static long count(Database db, String sql) throws SQLException {
        return SinkDatabaseIT.count(db, sql);
    }
}
