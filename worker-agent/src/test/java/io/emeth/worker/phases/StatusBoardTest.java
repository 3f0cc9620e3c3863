package io.emeth.worker.phases;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.worker.events.WorkerEvents.StatusSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusBoardTest {

    @Test
    void shouldNotifyOnlyWhenThePhaseJobOrEpochChanges() {
        // Given a board with a listener
        StatusBoard board = new StatusBoard();
        List<StatusSnapshot> changes = new ArrayList<>();
        board.onPhaseChange(changes::add);

        // When the worker enters LEARNING, reports it again with other progress, then CHECKPOINT
        board.set(WorkerPhase.LEARNING, "0xjob", 1, 1, () -> 0.1);
        board.set(WorkerPhase.LEARNING, "0xjob", 1, 1, () -> 0.5);
        board.set(WorkerPhase.LEARNING, "0xjob", 1, 2, () -> 0.0);
        board.set(WorkerPhase.CHECKPOINT, "0xjob", 1, 2, () -> 0.0);

        // Then three changes were announced
        assertThat(changes)
                .extracting(StatusSnapshot::phase, StatusSnapshot::epoch)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(WorkerPhase.LEARNING, 1),
                        org.assertj.core.groups.Tuple.tuple(WorkerPhase.LEARNING, 2),
                        org.assertj.core.groups.Tuple.tuple(WorkerPhase.CHECKPOINT, 2));
    }

    @Test
    void shouldReadProgressLiveAndSurviveAFailingReading() {
        StatusBoard board = new StatusBoard();
        double[] progress = {0.25};
        board.set(WorkerPhase.LEARNING, "0xjob", 1, 1, () -> progress[0]);
        assertThat(board.snapshot().progress()).isEqualTo(0.25);
        progress[0] = 0.75;
        assertThat(board.snapshot().progress()).isEqualTo(0.75);

        board.set(
                WorkerPhase.LEARNING,
                "0xjob",
                1,
                1,
                () -> {
                    throw new IllegalStateException("trainer closed");
                });
        assertThat(board.snapshot().progress()).isZero();

        board.clear();
        assertThat(board.snapshot()).isEqualTo(StatusSnapshot.NONE);
    }
}
