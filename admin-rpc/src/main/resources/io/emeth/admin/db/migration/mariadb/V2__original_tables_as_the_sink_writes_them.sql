-- The sink writes its rows, offsets and rejects in one transaction, so every table it writes must
-- be InnoDB; its text is full UTF-8 compared byte for byte. It writes a contribution before it has
-- started (started_at NULL), may not know its master (master_address NULL), and numbers wider than
-- the original's TINYINT/INT (attempts, program ids, power capacity). Each statement gives the
-- same result on the original's tables and on an earlier build's.
ALTER TABLE jobs ENGINE=InnoDB;
ALTER TABLE jobs CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE jobs MODIFY job_id VARCHAR(256) NOT NULL, MODIFY data_size_mb BIGINT NULL, MODIFY program_id BIGINT NOT NULL, MODIFY status INTEGER NOT NULL, MODIFY num_attempt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contributions ENGINE=InnoDB;
ALTER TABLE contributions CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE contributions MODIFY job_id VARCHAR(256) NOT NULL, MODIFY num_attempt INTEGER NOT NULL, MODIFY worker_address VARCHAR(256) NOT NULL, MODIFY master_address VARCHAR(256) NULL, MODIFY status INTEGER NOT NULL DEFAULT 0, MODIFY started_at BIGINT NULL, MODIFY contribution INTEGER NULL;
ALTER TABLE workers ENGINE=InnoDB;
ALTER TABLE workers CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE workers MODIFY url VARCHAR(512) NOT NULL, MODIFY address VARCHAR(256) NULL, MODIFY power_capacity BIGINT NULL;
ALTER TABLE last_node_slot_index ENGINE=InnoDB;
ALTER TABLE last_node_slot_index MODIFY slot_index BIGINT NULL;
