-- The original node's tables, as it created them on MySQL. A fresh database starts here; a
-- database the original node (or an earlier build of this one) created is adopted: every
-- statement of V1 to V3 leaves existing tables and rows as they are, and V2 alters them to what
-- the sink writes.
CREATE TABLE IF NOT EXISTS jobs (job_id VARCHAR(256), data_size_mb INT, program_id INT NOT NULL, status TINYINT NOT NULL, num_attempt TINYINT NOT NULL DEFAULT 0, PRIMARY KEY(job_id), INDEX status_idx (status));
CREATE TABLE IF NOT EXISTS contributions (job_id VARCHAR(256), num_attempt TINYINT, worker_address VARCHAR(256), master_address VARCHAR(256) NOT NULL, status TINYINT NOT NULL DEFAULT 0, started_at BIGINT NOT NULL, ended_at BIGINT, contribution INT, PRIMARY KEY(job_id, num_attempt, worker_address));
CREATE TABLE IF NOT EXISTS last_watched_job_index (job_index INT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS last_watched_block (status_event INT, cancel_event INT);
CREATE TABLE IF NOT EXISTS workers (url VARCHAR(256) PRIMARY KEY, address VARCHAR(256), power_capacity INT);
CREATE TABLE IF NOT EXISTS last_node_slot_index (slot_index BIGINT);
CREATE TABLE IF NOT EXISTS health_check (checked_at BIGINT);
