package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.config.KafkaSettings;
import io.emeth.common.eth.NodeIdentity;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
    static final String KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    static final KafkaSettings KAFKA =
            new KafkaSettings("127.0.0.1:9092", URI.create("http://127.0.0.1:8081"), Map.of());

    static GatewayConfig config(String token, Duration timeout, int bump) {
        return new GatewayConfig(
                URI.create("http://127.0.0.1:8545"),
                "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
                token,
                NodeIdentity.fromPrivateKey(KEY),
                Duration.ofSeconds(1),
                timeout,
                5,
                bump,
                KAFKA,
                "",
                Duration.ofSeconds(30),
                GatewayConfig.DEFAULT_ALLOWANCE_DEPOSITS,
                GatewayConfig.DEFAULT_ALLOWANCE_LOW_WATER_DEPOSITS,
                GatewayConfig.DEFAULT_MAX_INFLIGHT_TXS,
                GatewayConfig.DEFAULT_MAX_FEE_CEILING_WEI,
                null);
    }

    @Test
    void shouldNeverShowThePrivateKey() {
        GatewayConfig c =
                config("0x5fbdb2315678afecb367f032d93f642f64180aa3", Duration.ofMinutes(2), 25);
        assertThat(c.toString()).doesNotContain(KEY.substring(2)).contains(c.account());
        assertThat(c.gatewayId()).isEqualTo("emeth-gateway-" + c.account().toLowerCase());
    }

    @Test
    void shouldRejectBadValuesNamingTheKey() {
        assertThatThrownBy(() -> config("0xnope", Duration.ofMinutes(2), 25))
                .hasMessageContaining("tokenContractAddress");
        assertThatThrownBy(
                        () ->
                                config(
                                        "0x5fbdb2315678afecb367f032d93f642f64180aa3",
                                        Duration.ZERO,
                                        25))
                .hasMessageContaining("tx_timeout_ms");
        assertThatThrownBy(
                        () ->
                                config(
                                        "0x5fbdb2315678afecb367f032d93f642f64180aa3",
                                        Duration.ofMinutes(2),
                                        5))
                .hasMessageContaining("fee bump 5 %");
    }

    @Test
    void shouldRejectAPipelineOrAllowanceThatCannotWork() {
        GatewayConfig c =
                config("0x5fbdb2315678afecb367f032d93f642f64180aa3", Duration.ofMinutes(2), 25);

        assertThat(c.maxInflightTxs()).isEqualTo(32);
        assertThat(c.allowanceDeposits()).isEqualTo(20);
        assertThat(c.allowanceLowWaterDeposits()).isEqualTo(2);
        assertThatThrownBy(() -> c.withMaxInflightTxs(0))
                .hasMessageContaining("max_inflight_txs 0 is not in 1..1000");
        assertThatThrownBy(() -> c.withAllowance(20, 21))
                .hasMessageContaining("allowance_low_water_deposits 21 is not in 1..20");
        assertThatThrownBy(() -> c.withAllowance(0, 1))
                .hasMessageContaining("allowance_deposits 0 is not in 1..1000");
    }
}
