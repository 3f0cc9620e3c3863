package io.emeth.worker.data;

import java.util.List;

/**
 * A data set cut into one training shard per worker (index = rank) and a validation split. The byte
 * arrays are not copied; do not modify them.
 */
public record SplitDataset(List<byte[]> shards, byte[] validation) {
    public SplitDataset {
        shards = List.copyOf(shards);
    }

    /** The training shard of worker {@code rank}. */
    public byte[] shard(int rank) {
        return shards.get(rank);
    }
}
