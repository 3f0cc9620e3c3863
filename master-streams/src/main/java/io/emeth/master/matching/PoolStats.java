package io.emeth.master.matching;

/**
 * Free workers of a pool, counted as the free index changes, so that matching can skip a job that
 * the free capacity cannot serve without scanning the index.
 */
final class PoolStats {
    long freeCount;
    long freeCapacity;

    PoolStats() {}
}
