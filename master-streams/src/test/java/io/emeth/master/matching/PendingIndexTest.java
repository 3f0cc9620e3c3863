package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class PendingIndexTest {
    private final PendingIndex index = new PendingIndex();

    private static String key(long feeEmt, long requestedAt, String job) {
        return PoolKeys.pending("p", BigInteger.valueOf(feeEmt), requestedAt, job);
    }

    @Test
    void shouldFindTheHighestFeeJobWhoseNeedFits() {
        index.put(key(30, 1, "a"), 0, 100);
        index.put(key(20, 2, "b"), 0, 40);
        index.put(key(20, 1, "c"), 0, 60);
        index.put(key(10, 1, "d"), 0, 10);

        assertThat(index.first(1_000, null).jobId).isEqualTo("a");
        assertThat(index.first(99, null).jobId).isEqualTo("c"); // equal fee: earlier request
        assertThat(index.first(59, null).jobId).isEqualTo("b");
        assertThat(index.first(39, null).jobId).isEqualTo("d");
        assertThat(index.first(9, null)).isNull();
        // after a job: the next in fee order that fits
        assertThat(index.first(1_000, key(20, 1, "c")).jobId).isEqualTo("b");
    }

    @Test
    void shouldFollowRemovalsAndRaisedNeeds() {
        index.put(key(30, 1, "a"), 0, 10);
        index.put(key(20, 1, "b"), 0, 10);

        index.raiseNeed(key(30, 1, "a"), 50);
        assertThat(index.first(20, null).jobId).isEqualTo("b");
        index.raiseNeed(key(30, 1, "a"), 5); // a need never drops
        assertThat(index.get(key(30, 1, "a")).need).isEqualTo(50);
        index.remove(key(20, 1, "b"));
        assertThat(index.first(20, null)).isNull();
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void shouldAnswerForAWeakWorkerWithoutWalking20000UnservableJobs() {
        // Given 20,000 pending jobs that each need 100 and one that needs 5 at the very end
        for (int i = 0; i < 20_000; i++) {
            index.put(key(1_000 - i % 1_000, i, "job" + i), 0, 100);
        }
        index.put(key(1, 99_999, "last"), 0, 5);
        long before = index.visited;

        // When a weak worker (capacity 10) asks, twice
        assertThat(index.first(10, null).jobId).isEqualTo("last");
        index.remove(key(1, 99_999, "last"));
        assertThat(index.first(10, null)).isNull();

        // Then the index looked at a few dozen entries, not 20,000
        assertThat(index.visited - before).isLessThan(200);
    }
}
