package io.emeth.chain.indexer;

import java.util.Objects;

/**
 * The part of a block header the indexer keeps: enough to link blocks by parent hash (reorg
 * detection) and to date a {@code Request} log.
 *
 * @param timestamp seconds since the epoch, as the chain stores it
 */
record BlockHeader(long number, String hash, String parentHash, long timestamp) {
    BlockHeader {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(parentHash, "parentHash");
        hash = Hex.lower(hash);
        parentHash = Hex.lower(parentHash);
    }

    BlockRef ref() {
        return new BlockRef(number, hash);
    }
}
