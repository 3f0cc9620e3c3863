-- The original node's tables, as it created them. A fresh database starts here; a database the
-- original node (or an earlier build of this one) created is adopted: every statement of V1 to V3
-- leaves existing tables and rows as they are, and V2 alters them to what the sink writes.
CREATE TABLE IF NOT EXISTS jobs (job_id TEXT, data_size_mb INTEGER, program_id INTEGER NOT NULL, status INTEGER NOT NULL, num_attempt TINYINT NOT NULL DEFAULT 0, PRIMARY KEY(job_id));
CREATE TABLE IF NOT EXISTS contributions (job_id TEXT, num_attempt TINYINT, worker_address TEXT, master_address TEXT NOT NULL, status TINYINT NOT NULL DEFAULT 0, started_at BIGINT NOT NULL, ended_at BIGINT, contribution INTEGER, PRIMARY KEY(job_id, num_attempt, worker_address));
CREATE TABLE IF NOT EXISTS last_watched_job_index (job_index INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS last_watched_block (status_event INTEGER, cancel_event INTEGER);
CREATE TABLE IF NOT EXISTS workers (url TEXT PRIMARY KEY, address TEXT, power_capacity INTEGER);
CREATE TABLE IF NOT EXISTS last_node_slot_index (slot_index INTEGER);
CREATE TABLE IF NOT EXISTS health_check (checked_at INTEGER);
CREATE INDEX IF NOT EXISTS status_idx ON jobs (status);
