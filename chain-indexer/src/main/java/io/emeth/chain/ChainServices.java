package io.emeth.chain;

import io.emeth.chain.gateway.ChainGateway;
import io.emeth.chain.gateway.GatewayConfig;
import io.emeth.chain.indexer.Indexer;
import io.emeth.chain.indexer.IndexerConfig;
import io.emeth.common.config.MasterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code emeth indexer} runs: the indexer and the chain gateway of the master's account, each
 * on its own thread, both in one process by default or one of them alone ({@link Role}), so that an
 * operator can restart or move the gateway without stopping the indexer. The launcher builds it
 * from {@code config/master.json}, waits on {@link #awaitStopped} and calls {@link #close()} from
 * its shutdown hook.
 */
public final class ChainServices implements AutoCloseable {
    /** Which of the two services a process runs. */
    public enum Role {
        /** Only the indexer: EmethCore logs into Kafka. */
        INDEXER,
        /** Only the gateway: chain commands into transactions. */
        GATEWAY,
        /** Both, in one process. */
        BOTH;

        public boolean runsIndexer() {
            return this != GATEWAY;
        }

        public boolean runsGateway() {
            return this != INDEXER;
        }

        /** The role's name as the launcher's {@code --role} option spells it. */
        public String optionValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Optional<Indexer> indexer;
    private final Optional<ChainGateway> gateway;

    private ChainServices(Optional<Indexer> indexer, Optional<ChainGateway> gateway) {
        this.indexer = indexer;
        this.gateway = gateway;
    }

    /**
     * Starts the services of {@code role} from the master's config, on the topics under {@code
     * topicPrefix} (its {@code topic_prefix}, empty in production).
     */
    public static ChainServices start(
            MasterConfig master, String topicPrefix, Role role, MeterRegistry registry)
            throws IOException, InterruptedException {
        return start(
                IndexerConfig.fromMaster(master, topicPrefix),
                GatewayConfig.fromMaster(master, topicPrefix),
                role,
                registry);
    }

    /** Starts both. */
    public static ChainServices start(
            IndexerConfig indexerConfig, GatewayConfig gatewayConfig, MeterRegistry registry)
            throws IOException, InterruptedException {
        return start(indexerConfig, gatewayConfig, Role.BOTH, registry);
    }

    /**
     * Starts the indexer, then the gateway, as far as {@code role} runs them; stops the indexer
     * again if the gateway cannot start.
     */
    public static ChainServices start(
            IndexerConfig indexerConfig,
            GatewayConfig gatewayConfig,
            Role role,
            MeterRegistry registry)
            throws IOException, InterruptedException {
        Optional<Indexer> indexer =
                role.runsIndexer()
                        ? Optional.of(Indexer.start(indexerConfig, registry))
                        : Optional.empty();
        try {
            Optional<ChainGateway> gateway =
                    role.runsGateway()
                            ? Optional.of(ChainGateway.start(gatewayConfig, registry))
                            : Optional.empty();
            return new ChainServices(indexer, gateway);
        } catch (IOException | InterruptedException | RuntimeException e) {
            indexer.ifPresent(Indexer::close);
            throw e;
        }
    }

    /** The indexer, unless this process runs the gateway alone. */
    public Optional<Indexer> indexer() {
        return indexer;
    }

    /** The gateway, unless this process runs the indexer alone. */
    public Optional<ChainGateway> gateway() {
        return gateway;
    }

    /**
     * Waits until a running service stopped on its own (fenced or failed); true if one did within
     * the timeout. The launcher then closes the others and exits non-zero.
     */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (indexer.isPresent() && indexer.get().awaitStopped(Duration.ofMillis(200))) {
                return true;
            }
            if (gateway.isPresent() && gateway.get().awaitStopped(Duration.ofMillis(200))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            gateway.ifPresent(ChainGateway::close);
        } finally {
            indexer.ifPresent(Indexer::close);
        }
    }
}
