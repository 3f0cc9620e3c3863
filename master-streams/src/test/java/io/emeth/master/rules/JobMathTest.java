package io.emeth.master.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.CommandIds;
import org.junit.jupiter.api.Test;

class JobMathTest {
    @Test
    void shouldEstimateGasFromWholeMegabytesWithAtLeastOne() {
        // getEstimatedGas(max(1, sizeMB), 5822) = sizeMB × 5822 / 1000
        assertThat(JobMath.gas(4_096)).isEqualTo(5); // 0 MB counts as 1
        assertThat(JobMath.gas(1_048_575)).isEqualTo(5);
        assertThat(JobMath.gas(2 * 1_048_576)).isEqualTo(11);
        assertThat(JobMath.gas(1_000L * 1_048_576)).isEqualTo(5_822);
        assertThat(JobMath.gas(Long.MAX_VALUE)).isPositive();
    }

    @Test
    void shouldComputeRequiredCapacityWithIntegerDivision() {
        assertThat(JobMath.requiredCapacity(5, 100_000)).isEqualTo(50);
        assertThat(JobMath.requiredCapacity(5, 53_601)).isEqualTo(93);
        assertThat(JobMath.requiredCapacity(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> JobMath.requiredCapacity(5, 0)).hasMessageContaining("time limit");
    }

    @Test
    void shouldMeetTheDeadlineOnlyStrictlyBeforeTheMargin() {
        // gas 5 at capacity 100 takes 50,000 s; margin 3,600 s
        long now = 1_000_000;
        long edge = now + 53_600_000;
        assertThat(JobMath.meetsDeadline(now, 5, 100, edge + 1, 2, 2)).isTrue();
        assertThat(JobMath.meetsDeadline(now, 5, 100, edge, 2, 2)).isFalse();
        // half the epochs left need half the time
        assertThat(JobMath.meetsDeadline(now, 5, 100, now + 28_600_001, 1, 2)).isTrue();
        assertThat(JobMath.meetsDeadline(now, 5, 100, now + 28_600_000, 1, 2)).isFalse();
        assertThat(JobMath.meetsDeadline(now, 5, 0, Long.MAX_VALUE, 1, 1)).isFalse();
        assertThat(
                        JobMath.meetsDeadline(
                                now, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 1000, 1000))
                .isTrue();
    }

    @Test
    void shouldGiveTheLeastCapacityThatMeetsTheDeadline() {
        long now = 1_000_000;
        long deadline = now + 100_000_000; // 96,400 s before the margin
        long least = JobMath.capacityForDeadline(now, 5, deadline, 2, 2);
        assertThat(least).isEqualTo(52);
        assertThat(JobMath.meetsDeadline(now, 5, least, deadline, 2, 2)).isTrue();
        assertThat(JobMath.meetsDeadline(now, 5, least - 1, deadline, 2, 2)).isFalse();
        // exactly divisible: 50,000 s at 100 is not strictly before the margin, 101 is
        assertThat(JobMath.capacityForDeadline(now, 5, now + 53_600_000, 2, 2)).isEqualTo(101);
        assertThat(JobMath.capacityForDeadline(now, 5, now + 3_600_000, 2, 2))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(JobMath.capacityForDeadline(now, 5, deadline, 0, 2)).isEqualTo(1);
    }

    @Test
    void shouldGiveTheSameLeastCapacityInLongsAsTheExactFormulaAtEverySize() {
        // Given times, gas and epochs from small to the edges of a long (seeded)
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long[] edges = {0, 1, 3_600_000, 3_600_001, Long.MAX_VALUE / 2, Long.MAX_VALUE - 1};
        for (int i = 0; i < 20_000; i++) {
            long now = i % 7 == 0 ? edges[i % edges.length] : random.nextLong(0, 1L << 42);
            long deadline =
                    i % 5 == 0
                            ? edges[(i / 5) % edges.length]
                            : now + random.nextLong(0, 1L << (1 + i % 60));
            long gas = i % 11 == 0 ? Long.MAX_VALUE >> (i % 40) : random.nextLong(0, 1L << 20);
            int epochs = random.nextInt(0, i % 3 == 0 ? Integer.MAX_VALUE : 100);
            int remaining = random.nextInt(0, Math.max(1, epochs + 1));
            // When the least capacity is computed; Then it is floor(work / (slack·epochs)) + 1
            assertThat(JobMath.capacityForDeadline(now, gas, deadline, remaining, epochs))
                    .as("now %d deadline %d gas %d %d/%d", now, deadline, gas, remaining, epochs)
                    .isEqualTo(exactLeast(now, gas, deadline, remaining, epochs));
        }
    }

    private static long exactLeast(long now, long gas, long deadline, int remaining, int epochs) {
        if (epochs <= 0) {
            return Long.MAX_VALUE;
        }
        java.math.BigInteger slack =
                java.math.BigInteger.valueOf(deadline)
                        .subtract(java.math.BigInteger.valueOf(JobMath.DEADLINE_MARGIN_MS))
                        .subtract(java.math.BigInteger.valueOf(now));
        if (slack.signum() <= 0) {
            return Long.MAX_VALUE;
        }
        if (remaining <= 0) {
            return 1;
        }
        java.math.BigInteger work =
                java.math.BigInteger.valueOf(gas)
                        .multiply(java.math.BigInteger.valueOf(1_000_000_000L * remaining));
        return work.divide(slack.multiply(java.math.BigInteger.valueOf(epochs)))
                .add(java.math.BigInteger.ONE)
                .min(java.math.BigInteger.valueOf(Long.MAX_VALUE))
                .longValueExact();
    }

    @Test
    void shouldTellWhenTheMarginHasPassed() {
        assertThat(JobMath.pastMargin(0, 3_600_001)).isFalse();
        assertThat(JobMath.pastMargin(1, 3_600_001)).isTrue();
    }

    @Test
    void shouldDeriveDeterministicCommandIds() {
        String a =
                CommandIds.of(
                        "0x" + "ab".repeat(16),
                        io.emeth.schemas.avro.gateway.ChainAction.PROCESS_JOB,
                        1);
        assertThat(a)
                .isEqualTo(
                        CommandIds.of(
                                "0x" + "ab".repeat(16),
                                io.emeth.schemas.avro.gateway.ChainAction.PROCESS_JOB,
                                1));
        assertThat(a)
                .isNotEqualTo(
                        CommandIds.of(
                                "0x" + "ab".repeat(16),
                                io.emeth.schemas.avro.gateway.ChainAction.PROCESS_JOB,
                                2));
        assertThat(a)
                .isNotEqualTo(
                        CommandIds.of(
                                "0x" + "ab".repeat(16),
                                io.emeth.schemas.avro.gateway.ChainAction.SUBMIT_RESULT,
                                1));
        assertThat(a).matches("0x[0-9a-f]{64}");
    }

    @Test
    void shouldGiveUpExactlyWhenTheCapacityNoLongerMeetsTheDeadline() {
        long deadline = 1_000_000_000L;
        for (long capacity : new long[] {1, 7, 80, 333}) {
            for (int remaining : new int[] {0, 1, 3}) {
                long at = JobMath.giveUpAt(5, capacity, deadline, remaining, 3);
                assertThat(JobMath.meetsDeadline(at - 1, 5, capacity, deadline, remaining, 3))
                        .as("capacity %d, remaining %d, 1 ms before", capacity, remaining)
                        .isTrue();
                assertThat(JobMath.meetsDeadline(at, 5, capacity, deadline, remaining, 3))
                        .as("capacity %d, remaining %d, at", capacity, remaining)
                        .isFalse();
            }
        }
    }
}
