package io.emeth.worker.phases;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.worker.events.WorkerEvents.StatusSnapshot;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * The worker's current phase, job, attempt and epoch, with a live progress reading: written by the
 * job's thread, read by the heartbeat thread. A change of phase notifies a listener so that the
 * master hears about it without waiting for the next heartbeat.
 */
public final class StatusBoard {

    private record Entry(
            WorkerPhase phase,
            String jobId,
            Integer attempt,
            Integer epoch,
            DoubleSupplier progress) {}

    private final AtomicReference<Entry> current =
            new AtomicReference<>(new Entry(WorkerPhase.NONE, null, null, null, () -> 0));
    private volatile Consumer<StatusSnapshot> onPhaseChange = s -> {};

    /** Sets what is called (on the writer's thread) after the phase changed. */
    public void onPhaseChange(Consumer<StatusSnapshot> listener) {
        this.onPhaseChange = listener;
    }

    /**
     * The worker is in {@code phase} for the job's {@code epoch}, progress read from {@code
     * progress}.
     */
    public void set(
            WorkerPhase phase,
            String jobId,
            Integer attempt,
            Integer epoch,
            DoubleSupplier progress) {
        Entry next = new Entry(phase, jobId, attempt, epoch, progress);
        Entry before = current.getAndSet(next);
        if (before.phase() != phase
                || !java.util.Objects.equals(before.jobId(), jobId)
                || !java.util.Objects.equals(before.epoch(), epoch)) {
            onPhaseChange.accept(snapshot(next));
        }
    }

    /** The worker has no job. */
    public void clear() {
        set(WorkerPhase.NONE, null, null, null, () -> 0);
    }

    /** The status now, with the progress read at this moment. */
    public StatusSnapshot snapshot() {
        return snapshot(current.get());
    }

    private static StatusSnapshot snapshot(Entry e) {
        double progress;
        try {
            progress = e.progress().getAsDouble();
        } catch (RuntimeException ex) {
            progress = 0;
        }
        return new StatusSnapshot(e.phase(), e.jobId(), e.attempt(), e.epoch(), progress);
    }
}
