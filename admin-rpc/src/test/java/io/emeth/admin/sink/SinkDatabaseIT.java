package io.emeth.admin.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.admin.Seeds;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.read.Views.JobDetail;
import io.emeth.admin.support.ItDatabases;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerState;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Schema migrations, idempotent upserts and the read model on SQLite and on a real MariaDB. */
class SinkDatabaseIT {
    /** Migrations Flyway applied successfully (a baseline row aside). */
    static final String HISTORY =
            "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1 AND type <> 'BASELINE'";

    @TempDir Path folder;

    private Database open(String kind) {
        return kind.equals("sqlite")
                ? ItDatabases.sqlite(folder)
                : ItDatabases.freshMariaDb().open();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "mariadb"})
    void shouldMigrateOnceAndKeepTheOriginalTables(String kind) throws Exception {
        try (Database db = open(kind)) {
            // When migrating twice
            int first = SinkSchema.migrate(db);
            int second = SinkSchema.migrate(db);

            // Then the schema is at the newest version, applied once
            assertThat(first).isEqualTo(SinkSchema.VERSION);
            assertThat(second).isEqualTo(first);
            assertThat(count(db, HISTORY)).isEqualTo(first);
            // and the original tables answer with their original columns
            db.read(
                    c -> {
                        try (Statement s = c.createStatement()) {
                            s.executeQuery(
                                            "SELECT job_id, data_size_mb, program_id, status, num_attempt FROM jobs")
                                    .close();
                            s.executeQuery(
                                            "SELECT job_id, num_attempt, worker_address, master_address, status, started_at, ended_at, contribution FROM contributions")
                                    .close();
                            s.executeQuery("SELECT url, address, power_capacity FROM workers")
                                    .close();
                            s.executeQuery("SELECT slot_index FROM last_node_slot_index").close();
                        }
                        return null;
                    });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "mariadb"})
    void shouldMigrateOnceWhenTwoProcessesStartTogether(String kind) throws Exception {
        try (Database a = open(kind)) {
            Database b = kind.equals("sqlite") ? ItDatabases.sqlite(folder) : a;
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> one = pool.submit(() -> SinkSchema.migrate(a));
                Future<Integer> two = pool.submit(() -> SinkSchema.migrate(b));
                assertThat(one.get()).isEqualTo(SinkSchema.VERSION);
                assertThat(two.get()).isEqualTo(SinkSchema.VERSION);
            } finally {
                pool.shutdownNow();
                if (b != a) {
                    b.close();
                }
            }
            assertThat(count(a, HISTORY)).isEqualTo(SinkSchema.VERSION);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "mariadb"})
    void shouldRefuseADatabaseNewerThanThisBuild(String kind) throws Exception {
        try (Database db = open(kind)) {
            SinkSchema.migrate(db);
            db.read(
                    c ->
                            c.createStatement()
                                    .executeUpdate(
                                            "INSERT INTO flyway_schema_history (installed_rank,"
                                                    + " version, description, type, script,"
                                                    + " checksum, installed_by, execution_time,"
                                                    + " success) VALUES (99, '99', 'future', 'SQL',"
                                                    + " 'V99__future.sql', 0, 'a newer build', 0,"
                                                    + " 1)"));
            assertThatThrownBy(() -> SinkSchema.migrate(db))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot migrate the database")
                    .hasMessageContaining("99");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "mariadb"})
    void shouldUpsertARepeatedViewIntoOneRowPerKey(String kind) throws Exception {
        try (Database db = open(kind)) {
            SinkSchema.migrate(db);
            Projections projections = new Projections(Seeds.NODE);
            String jobId = Seeds.jobId(7);
            JobView first = Seeds.job(jobId, JobState.PROCESSING, JobStatus.PROCESSING, 2.5);
            JobView later =
                    Seeds.job(jobId, JobState.SUBMITTED, JobStatus.SUBMITTED, 2.5, 2.0, 1.5);

            // When the same views are written twice and a later one after them
            for (JobView view : List.of(first, first, later, later)) {
                write(db, projections.jobView(jobId, view));
            }
            write(
                    db,
                    projections.workerView(
                            Seeds.WORKER,
                            Seeds.worker(Seeds.WORKER, Seeds.NODE, WorkerState.TRAINING)));
            write(
                    db,
                    projections.workerView(
                            Seeds.WORKER,
                            Seeds.worker(Seeds.WORKER, Seeds.NODE, WorkerState.IDLE)));

            // Then one row per key holds the latest state
            ReadModel read = new ReadModel(db);
            assertThat(read.jobList())
                    .singleElement()
                    .satisfies(
                            j -> {
                                assertThat(j.status()).isEqualTo(3);
                                assertThat(j.dataSizeMb()).isEqualTo(5);
                            });
            JobDetail detail = read.job(jobId).orElseThrow();
            assertThat(detail.summary().state()).isEqualTo("SUBMITTED");
            assertThat(detail.summary().losses())
                    .extracting(l -> l.validationLoss())
                    .containsExactly(2.5, 2.0, 1.5);
            assertThat(detail.contributions()).hasSize(1);
            assertThat(read.workers())
                    .singleElement()
                    .satisfies(w -> assertThat(w.state()).isEqualTo("IDLE"));
            assertThat(count(db, "SELECT COUNT(*) FROM workers")).isEqualTo(1);
            assertThat(read.boardJobs())
                    .singleElement()
                    .satisfies(j -> assertThat(j.losses()).hasSize(3));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "mariadb"})
    void shouldStoreUnicodeAndHostileTextAsIs(String kind) throws Exception {
        try (Database db = open(kind)) {
            SinkSchema.migrate(db);
            String jobId = Seeds.jobId(8);
            String hostile = "データ<script>alert('x')</script>\"; DROP TABLE jobs; -- 🚀";
            JobView view =
                    JobView.newBuilder(Seeds.job(jobId, JobState.FAILED, JobStatus.FAILED))
                            .setDataset(hostile)
                            .setLastError(hostile)
                            .build();
            write(db, new Projections(Seeds.NODE).jobView(jobId, view));
            JobDetail detail = new ReadModel(db).job(jobId).orElseThrow();
            assertThat(detail.summary().dataset()).isEqualTo(hostile);
            assertThat(detail.summary().lastError()).isEqualTo(hostile);
            assertThat(count(db, "SELECT COUNT(*) FROM jobs")).isEqualTo(1);
        }
    }

    @org.junit.jupiter.api.Test
    void shouldUseTheExternalDbOfTheConfigInsteadOfSqlite() throws Exception {
        // Given external_db in the original's URL form
        ItDatabases.MariaDb maria = ItDatabases.freshMariaDb();
        var config =
                io.emeth.admin.support.ItConfig.master(
                        "11".repeat(32),
                        5000,
                        folder.resolve("unused.db"),
                        json -> json.put("external_db", maria.externalDbUrl()));

        // When joblist runs against it
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.emeth.admin.cli.JobList.run(
                config,
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));

        // Then the MariaDB database was migrated and read, and no SQLite file appeared
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("No assigned jobs in jdbc:mariadb://")
                .contains(maria.name())
                .doesNotContain(maria.password() + "@");
        try (Database db = maria.open()) {
            assertThat(count(db, HISTORY)).isEqualTo(SinkSchema.VERSION);
        }
        assertThat(folder.resolve("unused.db")).doesNotExist();
    }

    private static void write(Database db, List<RowChange> rows) throws SQLException {
        db.transaction(
                c -> {
                    try (SinkWriter writer = new SinkWriter(c, db.dialect())) {
                        writer.apply(rows);
                    }
                    return null;
                });
    }

    static long count(Database db, String sql) throws SQLException {
        return db.read(
                c -> {
                    try (Statement s = c.createStatement();
                            var r = s.executeQuery(sql)) {
                        r.next();
                        return r.getLong(1);
                    }
                });
    }
}
