-- The sink writes a contribution before it has started (started_at NULL) and may not know its
-- master (master_address NULL); the original declared both NOT NULL. SQLite cannot drop a NOT
-- NULL, so the table is rebuilt with every row copied. The key columns stay nullable as in the
-- original, so that no row of an adopted database is left behind.
CREATE TABLE contributions_adopted (job_id TEXT, num_attempt INTEGER, worker_address TEXT, master_address TEXT, status INTEGER NOT NULL DEFAULT 0, started_at BIGINT, ended_at BIGINT, contribution INTEGER, PRIMARY KEY (job_id, num_attempt, worker_address));
INSERT INTO contributions_adopted (job_id, num_attempt, worker_address, master_address, status, started_at, ended_at, contribution) SELECT job_id, num_attempt, worker_address, master_address, status, started_at, ended_at, contribution FROM contributions;
DROP TABLE contributions;
ALTER TABLE contributions_adopted RENAME TO contributions;
