-- Records the sink cannot apply although the registry and the database answer (undecodable
-- bytes, a schema violation, rows the database refuses): kept with their raw bytes, written in the
-- same transaction as the batch's rows and offsets, so that nothing is skipped unseen.
CREATE TABLE IF NOT EXISTS sink_rejects (topic VARCHAR(249) NOT NULL, partition_id INTEGER NOT NULL, record_offset BIGINT NOT NULL, error VARCHAR(2000) NOT NULL, raw_key MEDIUMBLOB, raw_value MEDIUMBLOB, rejected_at BIGINT NOT NULL, PRIMARY KEY (topic, partition_id, record_offset)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
