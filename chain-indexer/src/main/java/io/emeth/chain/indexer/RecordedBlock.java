package io.emeth.chain.indexer;

import java.util.List;
import java.util.Optional;

/**
 * One confirmed block of the indexer's hash window: its hash (empty until a backfill's gaps are
 * filled) and the jobs that had an event in it, so that a rewind past it knows whom to tell.
 */
record RecordedBlock(long number, Optional<String> hash, List<String> jobIds) {
    RecordedBlock {
        hash = hash.filter(h -> !h.isEmpty()).map(Hex::lower);
        jobIds = List.copyOf(jobIds);
    }
}
