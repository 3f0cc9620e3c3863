package io.emeth.chain.it;

import io.emeth.chain.gateway.GatewayConfig;
import io.emeth.chain.indexer.IndexerConfig;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.schemas.Topics;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Configs of the components under test against the fixtures. */
public final class Configs {
    private Configs() {}

    /** An indexer of the fixture's contract writing to {@code topics}, polling every 100 ms. */
    public static IndexerConfig indexer(
            ChainFixture chain,
            Topics topics,
            int confirmations,
            int maxBlockRange,
            long startBlock,
            String indexerId) {
        return new IndexerConfig(
                URI.create(chain.anvil.rpcUrl()),
                chain.deployment.coreAddress(),
                confirmations,
                startBlock,
                Duration.ofMillis(100),
                maxBlockRange,
                indexerId,
                Optional.empty(),
                KafkaFixture.settings(),
                topics.prefix(),
                Duration.ofSeconds(30),
                IndexerConfig.DEFAULT_REORG_WINDOW);
    }

    public static IndexerConfig withStorage(IndexerConfig c, String storageApi) {
        return new IndexerConfig(
                c.endpoint(),
                c.contractAddress(),
                c.confirmations(),
                c.startBlock(),
                c.pollInterval(),
                c.maxBlockRange(),
                c.indexerId(),
                Optional.of(URI.create(storageApi)),
                c.kafka(),
                c.topicPrefix(),
                c.rpcTimeout(),
                c.reorgWindow());
    }

    /** The same gateway talking to the chain through {@code endpoint} (a proxy of anvil). */
    public static GatewayConfig via(GatewayConfig c, URI endpoint) {
        return new GatewayConfig(
                endpoint,
                c.coreAddress(),
                c.tokenAddress(),
                c.identity(),
                c.pollInterval(),
                c.txTimeout(),
                c.maxReplacements(),
                c.feeBumpPercent(),
                c.kafka(),
                c.topicPrefix(),
                c.rpcTimeout(),
                c.allowanceDeposits(),
                c.allowanceLowWaterDeposits(),
                c.maxInflightTxs(),
                c.maxFeeCeilingWei(),
                c.startAllowanceFeeWei());
    }

    /** The dev master's gateway for the fixture's contracts, polling every 100 ms. */
    public static GatewayConfig gateway(ChainFixture chain, Topics topics, Duration txTimeout) {
        return new GatewayConfig(
                URI.create(chain.anvil.rpcUrl()),
                chain.deployment.coreAddress(),
                chain.deployment.tokenAddress(),
                NodeIdentity.fromPrivateKey(DevAccounts.get(1).privateKey()),
                Duration.ofMillis(100),
                txTimeout,
                GatewayConfig.DEFAULT_MAX_REPLACEMENTS,
                GatewayConfig.DEFAULT_FEE_BUMP_PERCENT,
                KafkaFixture.settings(),
                topics.prefix(),
                Duration.ofSeconds(30),
                GatewayConfig.DEFAULT_ALLOWANCE_DEPOSITS,
                GatewayConfig.DEFAULT_ALLOWANCE_LOW_WATER_DEPOSITS,
                GatewayConfig.DEFAULT_MAX_INFLIGHT_TXS,
                GatewayConfig.DEFAULT_MAX_FEE_CEILING_WEI,
                null);
    }
}
