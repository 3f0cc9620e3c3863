package io.emeth.worker.jobs;

import io.emeth.schemas.avro.WorkerPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's meters on {@code /metrics}: shards trained, rounds aggregated, tokens trained,
 * failures and timeouts by phase, and the current phase (its ordinal in {@code WorkerPhase}).
 */
public final class WorkerMetrics {

    private final MeterRegistry registry;
    private final Counter shards;
    private final Counter rounds;
    private final Counter tokens;
    private final AtomicInteger phase = new AtomicInteger();

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.shards = registry.counter("emeth_worker_shards_trained");
        this.rounds = registry.counter("emeth_worker_rounds_aggregated");
        this.tokens = registry.counter("emeth_worker_tokens_trained");
        registry.gauge("emeth_worker_phase", phase);
    }

    /** Meters kept in memory only (tests, or no metrics endpoint). */
    public static WorkerMetrics inMemory() {
        return new WorkerMetrics(new SimpleMeterRegistry());
    }

    void shardTrained(long tokenCount) {
        shards.increment();
        tokens.increment(tokenCount);
    }

    void roundAggregated() {
        rounds.increment();
    }

    void failed(WorkerPhase failedPhase, boolean timedOut) {
        registry.counter(
                        timedOut ? "emeth_worker_timeouts" : "emeth_worker_failures",
                        "phase",
                        failedPhase == null ? "NONE" : failedPhase.name())
                .increment();
    }

    void phase(WorkerPhase current) {
        phase.set(current.ordinal());
    }
}
