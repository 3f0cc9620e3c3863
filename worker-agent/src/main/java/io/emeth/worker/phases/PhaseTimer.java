package io.emeth.worker.phases;

import io.emeth.schemas.avro.WorkerPhase;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The deadline of the phase a job is in: {@code WAIT_DATA}, {@code IDLE} and {@code CHECKPOINT} may
 * last their timeout in total; {@code LEARNING} may go its timeout without a training step (as the
 * original's {@code learning} timeout counted from the last progress line), so every {@link
 * #progress()} restarts its clock.
 *
 * <p>Thread-safe: the job's thread enters phases and reports progress, a watchdog thread calls
 * {@link #check()}. An overrun is reported once; the timer is then disarmed. Time comes from a
 * monotonic millisecond clock so tests can drive it.
 */
public final class PhaseTimer {

    /**
     * A phase that ran past its timeout.
     *
     * @param phase the phase
     * @param key the config key of its timeout, e.g. {@code timeout.learning}
     * @param limitMs the timeout
     * @param elapsedMs how long it ran (since the last progress, for LEARNING)
     */
    public record Overrun(WorkerPhase phase, String key, long limitMs, long elapsedMs) {
        /**
         * E.g. "phase LEARNING overran timeout.learning (10000 ms): no training step for 10250 ms".
         */
        public String describe() {
            String what =
                    phase == WorkerPhase.LEARNING
                            ? "no training step for " + elapsedMs + " ms"
                            : "it lasted " + elapsedMs + " ms";
            return "phase " + phase + " overran " + key + " (" + limitMs + " ms): " + what;
        }
    }

    private final LongSupplier clockMs;
    private WorkerPhase phase;
    private String key;
    private long limitMs;
    private long reference;
    private boolean armed;

    /** A timer on {@code clockMs}, a monotonic clock in milliseconds. */
    public PhaseTimer(LongSupplier clockMs) {
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
    }

    /** A timer on {@link System#nanoTime()}. */
    public static PhaseTimer monotonic() {
        return new PhaseTimer(() -> System.nanoTime() / 1_000_000);
    }

    /**
     * Starts {@code phase} with {@code limitMs} allowed ({@code key} names it in reports); a limit
     * of 0 or less means no deadline.
     */
    public synchronized void enter(WorkerPhase phase, String key, long limitMs) {
        this.phase = Objects.requireNonNull(phase, "phase");
        this.key = key;
        this.limitMs = limitMs;
        this.reference = clockMs.getAsLong();
        this.armed = limitMs > 0;
    }

    /** A step of progress: restarts the LEARNING clock; other phases keep their start. */
    public synchronized void progress() {
        if (phase == WorkerPhase.LEARNING) {
            reference = clockMs.getAsLong();
        }
    }

    /** Stops watching (the job ended or the phase has no deadline). */
    public synchronized void disarm() {
        armed = false;
    }

    /** The overrun, once, when the current phase has run past its limit. */
    public synchronized Optional<Overrun> check() {
        if (!armed) {
            return Optional.empty();
        }
        long elapsed = clockMs.getAsLong() - reference;
        if (elapsed <= limitMs) {
            return Optional.empty();
        }
        armed = false;
        return Optional.of(new Overrun(phase, key, limitMs, elapsed));
    }

    /** Milliseconds left before the current phase overruns; {@link Long#MAX_VALUE} if unarmed. */
    public synchronized long remainingMs() {
        return armed ? limitMs - (clockMs.getAsLong() - reference) : Long.MAX_VALUE;
    }

    /** The phase last entered, or null. */
    public synchronized WorkerPhase phase() {
        return phase;
    }
}
