package io.emeth.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.chain.gateway.GatewayConfig;
import io.emeth.chain.indexer.IndexerConfig;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.MasterConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The indexer's and the gateway's configs built from an original-style master.json. */
class MasterConfigFactoriesTest {
    static final String JSON =
            """
            {
              "emethContractAddress": "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
              "tokenContractAddress": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
              "endpoint": "ws://127.0.0.1:8545",
              "privateKey": "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
              "storageApi": "http://127.0.0.1:3000",
              "confirmations": 6,
              "start_block": 100,
              "reorg_window": 64,
              "poll_interval_ms": 500,
              "tx_timeout_ms": 60000,
              "max_inflight_txs": 8,
              "max_fee_ceiling_wei": "500000000000",
              "allowance_deposits": 50,
              "allowance_low_water_deposits": 5,
              "kafka_bootstrap_servers": "broker:9092",
              "schema_registry_url": "http://registry:8081"
            }
            """;

    final MasterConfig master =
            new ConfigLoader(Map.of()).parseMaster(JSON, "master.json").config();

    @Test
    void shouldBuildTheIndexerConfigFromTheMastersKeys() {
        IndexerConfig c = IndexerConfig.fromMaster(master);
        assertThat(c.endpoint()).hasToString("ws://127.0.0.1:8545");
        assertThat(c.contractAddress()).isEqualTo("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
        assertThat(c.confirmations()).isEqualTo(6);
        assertThat(c.startBlock()).isEqualTo(100);
        assertThat(c.reorgWindow()).isEqualTo(64);
        assertThat(c.pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.storageApi()).hasValueSatisfying(u -> assertThat(u).hasHost("127.0.0.1"));
        assertThat(c.kafkaProperties()).containsEntry("bootstrap.servers", "broker:9092");
        assertThat(c.indexerId()).startsWith("emeth-indexer-0xe7f1725e");
    }

    @Test
    void shouldBuildTheGatewayConfigForTheMastersAccount() {
        GatewayConfig c = GatewayConfig.fromMaster(master);
        assertThat(c.account()).isEqualTo(master.identity().address());
        assertThat(c.tokenAddress()).isEqualTo("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        assertThat(c.txTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.serdeConfig().registryUrl()).isEqualTo("http://registry:8081");
        assertThat(c.toString()).doesNotContain("59c6995e998f97a5");
    }

    @Test
    void shouldTakeThePipelineFeeCeilingAndAllowanceFromTheMastersKeys() {
        GatewayConfig c = GatewayConfig.fromMaster(master);
        assertThat(c.maxInflightTxs()).isEqualTo(8);
        assertThat(c.maxFeeCeilingWei()).isEqualTo(new java.math.BigInteger("500000000000"));
        assertThat(c.allowanceDeposits()).isEqualTo(50);
        assertThat(c.allowanceLowWaterDeposits()).isEqualTo(5);
    }

    @Test
    void shouldDefaultToThirtyTwoInFlightAndAnAllowanceOfTwentyDepositsTopUpBelowTwo() {
        String minimal = JSON.replaceAll("(?m)^.*\"(max_|allowance_).*\n", "");
        GatewayConfig c =
                GatewayConfig.fromMaster(
                        new ConfigLoader(Map.of()).parseMaster(minimal, "master.json").config());
        assertThat(c.maxInflightTxs()).isEqualTo(32);
        assertThat(c.maxFeeCeilingWei()).isEqualTo(java.math.BigInteger.TEN.pow(12));
        assertThat(c.allowanceDeposits()).isEqualTo(20);
        assertThat(c.allowanceLowWaterDeposits()).isEqualTo(2);
    }

    @Test
    void shouldPutTheTopicPrefixIntoTheIndexersTopicsAndIdentity() {
        IndexerConfig plain = IndexerConfig.fromMaster(master);
        IndexerConfig prefixed = IndexerConfig.fromMaster(master, "drill-1.");
        assertThat(plain.topicPrefix()).isEmpty();
        assertThat(prefixed.topicPrefix()).isEqualTo("drill-1.");
        assertThat(prefixed.indexerId())
                .isEqualTo("emeth-indexer-drill-1.0xe7f1725e7734ce288f8367e1bb143e90bb3f0512")
                .isNotEqualTo(plain.indexerId());
    }

    @Test
    void shouldPutTheTopicPrefixIntoTheGatewaysTopicsAndGroup() {
        GatewayConfig prefixed = GatewayConfig.fromMaster(master, "drill-1.");
        assertThat(prefixed.topicPrefix()).isEqualTo("drill-1.");
        assertThat(prefixed.gatewayId())
                .isEqualTo(
                        "emeth-gateway-drill-1."
                                + master.identity().address().toLowerCase(Locale.ROOT));
        assertThat(GatewayConfig.fromMaster(master).topicPrefix()).isEmpty();
    }
}
