package io.emeth.worker.phases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.avro.WorkerPhase;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PhaseTimerTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final PhaseTimer timer = new PhaseTimer(now::get);

    @Test
    void shouldReportAPhaseThatOutlastsItsTimeoutOnce() {
        // Given a worker waiting for data with 300 ms allowed
        timer.enter(WorkerPhase.WAIT_DATA, "timeout.wait_data", 300);

        // When 300 ms pass, nothing is reported; at 301 ms the overrun is
        now.addAndGet(300);
        assertThat(timer.check()).isEmpty();
        now.addAndGet(1);
        PhaseTimer.Overrun overrun = timer.check().orElseThrow();

        // Then it names the phase, its key and the times, and is not reported again
        assertThat(overrun.phase()).isEqualTo(WorkerPhase.WAIT_DATA);
        assertThat(overrun.key()).isEqualTo("timeout.wait_data");
        assertThat(overrun.limitMs()).isEqualTo(300);
        assertThat(overrun.elapsedMs()).isEqualTo(301);
        assertThat(overrun.describe())
                .isEqualTo("phase WAIT_DATA overran timeout.wait_data (300 ms): it lasted 301 ms");
        now.addAndGet(10_000);
        assertThat(timer.check()).isEmpty();
    }

    @Test
    void shouldRestartTheLearningClockOnEveryTrainingStep() {
        // Given a worker learning with 100 ms allowed between steps
        timer.enter(WorkerPhase.LEARNING, "timeout.learning", 100);

        // When it makes a step every 90 ms for a long time
        for (int i = 0; i < 50; i++) {
            now.addAndGet(90);
            timer.progress();
            assertThat(timer.check()).isEmpty();
        }

        // Then only a silence longer than the timeout is an overrun
        now.addAndGet(101);
        assertThat(timer.check())
                .hasValueSatisfying(
                        o -> {
                            assertThat(o.phase()).isEqualTo(WorkerPhase.LEARNING);
                            assertThat(o.describe()).endsWith("no training step for 101 ms");
                        });
    }

    @Test
    void shouldNotLetProgressExtendAPhaseWithATotalTimeout() {
        // Given a checkpoint with 100 ms in total
        timer.enter(WorkerPhase.CHECKPOINT, "timeout.checkpoint", 100);

        // When progress is reported along the way
        now.addAndGet(60);
        timer.progress();
        now.addAndGet(60);

        // Then the phase still overruns at its total
        assertThat(timer.check()).isPresent();
    }

    @Test
    void shouldRestartTheClockWhenANewPhaseBegins() {
        // Given an idle phase that almost ran out
        timer.enter(WorkerPhase.IDLE, "timeout.idle", 100);
        now.addAndGet(99);

        // When the next phase begins
        timer.enter(WorkerPhase.LEARNING, "timeout.learning", 100);
        now.addAndGet(99);

        // Then neither overran, and the remaining time is the new phase's
        assertThat(timer.check()).isEmpty();
        assertThat(timer.remainingMs()).isEqualTo(1);
        assertThat(timer.phase()).isEqualTo(WorkerPhase.LEARNING);
    }

    @Test
    void shouldNeverFireForAPhaseWithoutLimitOrWhenDisarmed() {
        timer.enter(WorkerPhase.COMPLETED, null, 0);
        now.addAndGet(Long.MAX_VALUE / 4);
        assertThat(timer.check()).isEmpty();
        assertThat(timer.remainingMs()).isEqualTo(Long.MAX_VALUE);

        timer.enter(WorkerPhase.IDLE, "timeout.idle", 10);
        timer.disarm();
        now.addAndGet(1_000);
        assertThat(timer.check()).isEmpty();
    }

    @Test
    void shouldRefuseAMissingPhase() {
        assertThatThrownBy(() -> timer.enter(null, "timeout.idle", 10))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("phase");
    }
}
