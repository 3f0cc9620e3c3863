package io.emeth.chain.indexer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The indexer's meters: the latest block seen and the latest confirmed (emitted) one, the lag
 * between them, events emitted by type, reorgs by kind, whether a reorg below the hash window
 * halted it, and rejected logs. Registered on the registry the launcher exposes (Prometheus scrape
 * in production).
 */
final class IndexerMetrics {
    static final String PREFIX = "emeth.indexer.";

    private final MeterRegistry registry;
    private final String contract;
    private final AtomicLong seen = new AtomicLong(-1);
    private final AtomicLong confirmed = new AtomicLong(-1);
    private final AtomicLong halted = new AtomicLong();
    private final ConcurrentHashMap<String, Counter> events = new ConcurrentHashMap<>();
    private final Counter shallowReorgs;
    private final Counter deepReorgs;
    private final Counter rejected;
    private final Counter rpcErrors;

    IndexerMetrics(MeterRegistry registry, String contract) {
        this.registry = registry;
        this.contract = contract;
        Gauge.builder(PREFIX + "head.block", seen, AtomicLong::get)
                .description("Latest block the indexer has seen on the chain")
                .tag("contract", contract)
                .register(registry);
        Gauge.builder(PREFIX + "confirmed.block", confirmed, AtomicLong::get)
                .description("Latest block whose logs are all on the topics (the checkpoint)")
                .tag("contract", contract)
                .register(registry);
        Gauge.builder(PREFIX + "lag.blocks", this, IndexerMetrics::lag)
                .description("Blocks between the latest seen and the latest confirmed")
                .tag("contract", contract)
                .register(registry);
        Gauge.builder(PREFIX + "halted", halted, AtomicLong::get)
                .description(
                        "1 while a reorg below the whole hash window (reorg_window) stops the"
                                + " indexer from emitting, else 0")
                .tag("contract", contract)
                .register(registry);
        shallowReorgs = reorgs("shallow");
        deepReorgs = reorgs("deep");
        rejected =
                Counter.builder(PREFIX + "rejected.logs")
                        .description("Logs reported on chain-alerts instead of becoming events")
                        .tag("contract", contract)
                        .register(registry);
        rpcErrors =
                Counter.builder(PREFIX + "cycle.errors")
                        .description("Indexing cycles that failed and were retried")
                        .tag("contract", contract)
                        .register(registry);
    }

    void seen(long block) {
        seen.set(block);
    }

    void confirmed(long block) {
        confirmed.set(block);
    }

    long confirmed() {
        return confirmed.get();
    }

    void emitted(String type) {
        events.computeIfAbsent(
                        type,
                        t ->
                                Counter.builder(PREFIX + "events")
                                        .description("Events written to the chain topics")
                                        .tag("contract", contract)
                                        .tag("type", t)
                                        .register(registry))
                .increment();
    }

    void halted(boolean value) {
        halted.set(value ? 1 : 0);
    }

    void shallowReorg() {
        shallowReorgs.increment();
    }

    void deepReorg() {
        deepReorgs.increment();
    }

    void rejectedLog() {
        rejected.increment();
    }

    void cycleError() {
        rpcErrors.increment();
    }

    private double lag() {
        long s = seen.get();
        long c = confirmed.get();
        return s < 0 ? 0 : Math.max(0, s - c);
    }

    private Counter reorgs(String kind) {
        return Counter.builder(PREFIX + "reorgs")
                .description(
                        "Reorgs seen: shallow (inside the confirmation window, invisible"
                                + " downstream) or deep (reported on chain-alerts)")
                .tag("contract", contract)
                .tag("kind", kind)
                .register(registry);
    }
}
