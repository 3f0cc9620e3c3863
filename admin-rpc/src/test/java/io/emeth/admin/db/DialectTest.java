package io.emeth.admin.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The upsert statements of each database. */
class DialectTest {
    @Test
    void shouldUpsertWithOnConflictOnSqlite() {
        assertThat(
                        Dialect.SQLITE.upsert(
                                "jobs", List.of("job_id"), List.of("status", "num_attempt")))
                .isEqualTo(
                        "INSERT INTO jobs (job_id, status, num_attempt) VALUES (?, ?, ?) ON CONFLICT"
                                + " (job_id) DO UPDATE SET status = excluded.status, num_attempt ="
                                + " excluded.num_attempt");
    }

    @Test
    void shouldUpsertWithOnDuplicateKeyOnMariadb() {
        assertThat(Dialect.MARIADB.upsert("jobs", List.of("job_id"), List.of("status")))
                .isEqualTo(
                        "INSERT INTO jobs (job_id, status) VALUES (?, ?) ON DUPLICATE KEY UPDATE"
                                + " status = VALUES(status)");
    }

    @Test
    void shouldInsertKeysOnlyOnceWhenThereAreNoValues() {
        assertThat(Dialect.SQLITE.upsert("t", List.of("a", "b"), List.of()))
                .isEqualTo("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a, b) DO NOTHING");
        assertThat(Dialect.MARIADB.upsert("t", List.of("a"), List.of()))
                .isEqualTo("INSERT IGNORE INTO t (a) VALUES (?)");
    }
}
