package io.emeth.chain;

import io.emeth.chain.gateway.ChainGateway;
import io.emeth.chain.gateway.GatewayConfig;
import io.emeth.chain.indexer.Indexer;
import io.emeth.chain.indexer.IndexerConfig;
import io.emeth.common.config.MasterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;

/**
 * What {@code emeth indexer} runs: the indexer and the chain gateway of the master's account in one
 * process, each on its own thread. The launcher builds it from {@code config/master.json}, waits on
 * {@link #awaitStopped} and calls {@link #close()} from its shutdown hook.
 */
public final class ChainServices implements AutoCloseable {
    private final Indexer indexer;
    private final ChainGateway gateway;

    private ChainServices(Indexer indexer, ChainGateway gateway) {
        this.indexer = indexer;
        this.gateway = gateway;
    }

    /** Starts both from the master's config. */
    public static ChainServices start(MasterConfig master, MeterRegistry registry)
            throws IOException, InterruptedException {
        return start(IndexerConfig.fromMaster(master), GatewayConfig.fromMaster(master), registry);
    }

    /**
     * Starts the indexer, then the gateway; stops the indexer again if the gateway cannot start.
     */
    public static ChainServices start(
            IndexerConfig indexerConfig, GatewayConfig gatewayConfig, MeterRegistry registry)
            throws IOException, InterruptedException {
        Indexer indexer = Indexer.start(indexerConfig, registry);
        try {
            return new ChainServices(indexer, ChainGateway.start(gatewayConfig, registry));
        } catch (IOException | InterruptedException | RuntimeException e) {
            indexer.close();
            throw e;
        }
    }

    public Indexer indexer() {
        return indexer;
    }

    public ChainGateway gateway() {
        return gateway;
    }

    /**
     * Waits until either service stopped on its own (fenced or failed); true if one did within the
     * timeout. The launcher then closes both and exits non-zero.
     */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (indexer.awaitStopped(Duration.ofMillis(200))
                    || gateway.awaitStopped(Duration.ofMillis(200))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            indexer.close();
        }
    }
}
