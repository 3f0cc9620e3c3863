package io.emeth.chain.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The gateway's meters: transactions by result ({@code sent}, {@code confirmed}, {@code failed}
 * with its kind) and action, and commands skipped as duplicates.
 */
final class GatewayMetrics {
    static final String PREFIX = "emeth.gateway.";

    private final MeterRegistry registry;
    private final String account;
    private final Counter duplicates;

    GatewayMetrics(MeterRegistry registry, String account) {
        this.registry = registry;
        this.account = account;
        this.duplicates =
                Counter.builder(PREFIX + "commands.duplicate")
                        .description("Commands skipped because their id already has an outcome")
                        .tag("account", account)
                        .register(registry);
    }

    void tx(String result, String action, String kind) {
        Counter.builder(PREFIX + "txs")
                .description(
                        "Transactions by result: sent (incl. replacements), confirmed,"
                                + " failed (by kind)")
                .tag("account", account)
                .tag("result", result)
                .tag("action", action)
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    void duplicate() {
        duplicates.increment();
    }
}
