-- The original node's tables as its MySQL migration created them (no engine or charset named:
-- here MyISAM and latin1, the defaults of MySQL before 5.5 and before 8.0: the harshest case), and
-- a few rows it wrote.
CREATE TABLE IF NOT EXISTS jobs (job_id VARCHAR(256), data_size_mb INT, program_id INT NOT NULL, status TINYINT NOT NULL, num_attempt TINYINT NOT NULL DEFAULT 0, PRIMARY KEY(job_id), INDEX status_idx (status)) ENGINE=MyISAM DEFAULT CHARSET=latin1;
CREATE TABLE IF NOT EXISTS contributions (job_id VARCHAR(256), num_attempt TINYINT, worker_address VARCHAR(256), master_address VARCHAR(256) NOT NULL, status TINYINT NOT NULL DEFAULT 0, started_at BIGINT NOT NULL, ended_at BIGINT, contribution INT, PRIMARY KEY(job_id, num_attempt, worker_address)) ENGINE=MyISAM DEFAULT CHARSET=latin1;
CREATE TABLE IF NOT EXISTS last_watched_job_index (job_index INT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS last_watched_block (status_event INT, cancel_event INT);
CREATE TABLE IF NOT EXISTS workers (url VARCHAR(256) PRIMARY KEY, address VARCHAR(256), power_capacity INT) ENGINE=MyISAM DEFAULT CHARSET=latin1;
CREATE TABLE IF NOT EXISTS last_node_slot_index (slot_index BIGINT);
CREATE TABLE IF NOT EXISTS health_check (checked_at BIGINT);
INSERT INTO jobs (job_id, data_size_mb, program_id, status, num_attempt) VALUES ('0x0000000000000000000000000000abcd', 12, 0, 4, 1);
INSERT INTO contributions (job_id, num_attempt, worker_address, master_address, status, started_at, ended_at, contribution) VALUES ('0x0000000000000000000000000000abcd', 1, '0x9999999999999999999999999999999999999999', '0x8888888888888888888888888888888888888888', 1, 1600000000000, 1600000100000, 100000);
INSERT INTO workers (url, address, power_capacity) VALUES ('http://10.0.0.9:3000', '0x9999999999999999999999999999999999999999', 500);
INSERT INTO last_node_slot_index (slot_index) VALUES (3);
