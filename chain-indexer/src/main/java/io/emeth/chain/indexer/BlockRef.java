package io.emeth.chain.indexer;

/**
 * A block by number and hash. {@code hash} is null only for the virtual block before the first one
 * the indexer reads, whose hash it never learned.
 */
record BlockRef(long number, String hash) {
    BlockRef {
        hash = hash == null ? null : Hex.lower(hash);
    }

    /** The block before {@code startBlock}, for an indexer without a checkpoint. */
    static BlockRef before(long startBlock) {
        return new BlockRef(startBlock - 1, null);
    }

    boolean hashKnown() {
        return hash != null;
    }
}
