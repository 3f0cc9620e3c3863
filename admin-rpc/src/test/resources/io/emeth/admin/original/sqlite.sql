-- The original node's tables as its SQLite migration created them, and a few rows it wrote.
CREATE TABLE IF NOT EXISTS jobs (job_id TEXT, data_size_mb INTEGER, program_id INTEGER NOT NULL, status INTEGER NOT NULL, num_attempt TINYINT NOT NULL DEFAULT 0, PRIMARY KEY(job_id));
CREATE TABLE IF NOT EXISTS contributions (job_id TEXT, num_attempt TINYINT, worker_address TEXT, master_address TEXT NOT NULL, status TINYINT NOT NULL DEFAULT 0, started_at BIGINT NOT NULL, ended_at BIGINT, contribution INTEGER, PRIMARY KEY(job_id, num_attempt, worker_address));
CREATE TABLE IF NOT EXISTS last_watched_job_index (job_index INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS last_watched_block (status_event INTEGER, cancel_event INTEGER);
CREATE TABLE IF NOT EXISTS workers (url TEXT PRIMARY KEY, address TEXT, power_capacity INTEGER);
CREATE TABLE IF NOT EXISTS last_node_slot_index (slot_index INTEGER);
CREATE TABLE IF NOT EXISTS health_check (checked_at INTEGER);
CREATE INDEX IF NOT EXISTS status_idx ON jobs (status);
INSERT INTO jobs (job_id, data_size_mb, program_id, status, num_attempt) VALUES ('0x0000000000000000000000000000abcd', 12, 0, 4, 1);
INSERT INTO contributions (job_id, num_attempt, worker_address, master_address, status, started_at, ended_at, contribution) VALUES ('0x0000000000000000000000000000abcd', 1, '0x9999999999999999999999999999999999999999', '0x8888888888888888888888888888888888888888', 1, 1600000000000, 1600000100000, 100000);
INSERT INTO workers (url, address, power_capacity) VALUES ('http://10.0.0.9:3000', '0x9999999999999999999999999999999999999999', 500);
INSERT INTO last_node_slot_index (slot_index) VALUES (3);
