package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PendingNeedsTest {
    @Test
    void shouldTrackTheLeastNeedOfEachPoolAsJobsAreTriedAndLeave() {
        PendingNeeds needs = new PendingNeeds();
        assertThat(needs.least("p")).isZero();

        needs.note("p", "p|a", 80);
        needs.note("p", "p|b", 52);
        needs.note("p", "p|c", 52);
        needs.note("q", "q|d", 7);
        assertThat(needs.least("p")).isEqualTo(52);
        assertThat(needs.of("p|a")).isEqualTo(80);

        // a job tried again later needs more; one that leaves is forgotten
        needs.note("p", "p|b", 60);
        assertThat(needs.least("p")).isEqualTo(52);
        needs.note("p", "p|c", -1);
        assertThat(needs.least("p")).isEqualTo(60);
        assertThat(needs.of("p|c")).isZero();

        // an unknown need (a restarted task) makes the least 0: the next walk tries everything
        needs.note("p", "p|e", 0);
        assertThat(needs.least("p")).isZero();
        assertThat(needs.least("q")).isEqualTo(7);
    }
}
