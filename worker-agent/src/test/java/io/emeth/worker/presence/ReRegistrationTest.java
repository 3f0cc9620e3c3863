package io.emeth.worker.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReRegistrationTest {

    private final ReRegistration policy = new ReRegistration(300_000, 15_000);

    @Test
    void shouldRegisterAtStart() {
        assertThat(policy.reason(0, null)).contains("start");
    }

    @Test
    void shouldRegisterAgainSoonAfterTheMasterMarksItLost() {
        // Given a worker that registered at t=0
        policy.registered(0);

        // When the master's view says LOST at once, it waits out the spacing, then registers
        assertThat(policy.reason(1_000, view(WorkerState.LOST))).isEmpty();
        assertThat(policy.reason(15_000, view(WorkerState.LOST)))
                .contains("the master's worker-status says LOST");
        assertThat(policy.reason(15_000, view(WorkerState.LEFT)))
                .contains("the master's worker-status says LEFT");

        // And after registering again, a view still lagging at LOST causes no loop
        policy.registered(15_000);
        assertThat(policy.reason(16_000, view(WorkerState.LOST))).isEmpty();
    }

    @Test
    void shouldLeaveAKnownOrOperatorRemovedWorkerToThePeriodicRefresh() {
        policy.registered(0);
        for (WorkerState state :
                new WorkerState[] {
                    WorkerState.IDLE,
                    WorkerState.TRAINING,
                    WorkerState.RESERVED,
                    WorkerState.DISCONNECTED,
                    WorkerState.REJECTED
                }) {
            assertThat(policy.reason(200_000, view(state))).as("%s", state).isEmpty();
        }
        assertThat(policy.reason(200_000, null)).isEmpty();
        assertThat(policy.reason(300_000, view(WorkerState.DISCONNECTED)))
                .contains("periodic refresh");
        assertThat(policy.reason(300_000, null)).contains("periodic refresh");
    }

    @Test
    void shouldRefuseNonPositivePeriods() {
        assertThatThrownBy(() -> new ReRegistration(0, 1)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new ReRegistration(1, -1))
                .hasMessageContaining("must be positive");
    }

    private static WorkerView view(WorkerState state) {
        return WorkerView.newBuilder()
                .setWorker("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
                .setPool("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
                .setState(state)
                .setPowerCapacity(100)
                .setDevice("cpu")
                .setUrl("")
                .setPhase(WorkerPhase.NONE)
                .setUpdatedAt(Instant.EPOCH)
                .build();
    }
}
