-- What the job board shows beyond the original tables, the training history and the sink's own
-- Kafka offsets (written in the same transaction as the rows). IF NOT EXISTS: a database an
-- earlier build of this node migrated with its own runner already has them (and its
-- schema_version table, which is left in place unused: dropping it would need the DROP privilege).
CREATE TABLE IF NOT EXISTS job_details (job_id VARCHAR(66) NOT NULL PRIMARY KEY, state VARCHAR(16) NOT NULL, chain_status INTEGER, fee VARCHAR(80) NOT NULL, deadline BIGINT NOT NULL, requested_at BIGINT, epoch INTEGER NOT NULL, epochs INTEGER NOT NULL, dataset_size_bytes BIGINT, program_id BIGINT NOT NULL, num_attempt INTEGER NOT NULL, owner VARCHAR(42), dataset VARCHAR(512), node VARCHAR(42), result_file_name VARCHAR(512), last_error VARCHAR(2000), updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS worker_details (address VARCHAR(42) NOT NULL PRIMARY KEY, pool VARCHAR(42) NOT NULL, state VARCHAR(16) NOT NULL, phase VARCHAR(16) NOT NULL, power_capacity BIGINT NOT NULL, device VARCHAR(64) NOT NULL, url VARCHAR(512) NOT NULL, job_id VARCHAR(66), num_attempt INTEGER, epoch INTEGER, progress REAL, last_heartbeat_at BIGINT, last_error VARCHAR(2000), updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS job_losses (job_id VARCHAR(66) NOT NULL, num_attempt INTEGER NOT NULL, epoch INTEGER NOT NULL, validation_loss REAL NOT NULL, PRIMARY KEY (job_id, num_attempt, epoch));
CREATE TABLE IF NOT EXISTS training_log (id INTEGER PRIMARY KEY AUTOINCREMENT, job_id VARCHAR(66) NOT NULL, num_attempt INTEGER NOT NULL, worker_address VARCHAR(42) NOT NULL, kind VARCHAR(24) NOT NULL, epoch INTEGER, loss REAL, detail VARCHAR(2000), at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS training_log_job ON training_log (job_id);
CREATE TABLE IF NOT EXISTS sink_offsets (topic VARCHAR(249) NOT NULL, partition_id INTEGER NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY (topic, partition_id));
