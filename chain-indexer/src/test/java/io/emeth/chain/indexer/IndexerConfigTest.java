package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.config.KafkaSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IndexerConfigTest {
    static final String CONTRACT = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
    static final KafkaSettings KAFKA =
            new KafkaSettings("127.0.0.1:9092", URI.create("http://127.0.0.1:8081"), Map.of());

    static IndexerConfig config(
            String endpoint,
            String contract,
            int confirmations,
            Duration poll,
            int range,
            String id) {
        return new IndexerConfig(
                URI.create(endpoint),
                contract,
                confirmations,
                0,
                poll,
                range,
                id,
                Optional.empty(),
                KAFKA,
                "",
                Duration.ofSeconds(30),
                IndexerConfig.DEFAULT_REORG_WINDOW);
    }

    @Test
    void shouldChecksumTheContractAndDeriveTheDefaultIdentity() {
        IndexerConfig c =
                config(
                        "ws://127.0.0.1:8545",
                        CONTRACT,
                        2,
                        Duration.ofSeconds(1),
                        2_000,
                        IndexerConfig.defaultIndexerId(CONTRACT));
        assertThat(c.contractAddress()).isEqualTo("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
        assertThat(c.indexerId()).isEqualTo("emeth-indexer-" + CONTRACT);
        assertThat(c.kafkaProperties()).containsEntry("bootstrap.servers", "127.0.0.1:9092");
        assertThat(c.serdeConfig().registryUrl()).isEqualTo("http://127.0.0.1:8081");
    }

    @Test
    void shouldRejectBadValuesNamingTheKey() {
        Duration second = Duration.ofSeconds(1);
        assertThatThrownBy(() -> config("ftp://x", CONTRACT, 2, second, 10, "id"))
                .hasMessageContaining("ftp://x")
                .hasMessageContaining("http(s)://");
        assertThatThrownBy(() -> config("http://x", "0x123", 2, second, 10, "id"))
                .hasMessageContaining("emethContractAddress");
        assertThatThrownBy(() -> config("http://x", CONTRACT, -1, second, 10, "id"))
                .hasMessageContaining("confirmations -1");
        assertThatThrownBy(() -> config("http://x", CONTRACT, 2, Duration.ZERO, 10, "id"))
                .hasMessageContaining("poll_interval_ms");
        assertThatThrownBy(() -> config("http://x", CONTRACT, 2, second, 0, "id"))
                .hasMessageContaining("max block range 0");
        assertThatThrownBy(() -> config("http://x", CONTRACT, 2, second, 10, "bad id!"))
                .hasMessageContaining("indexer id 'bad id!'");
        IndexerConfig good = config("http://x", CONTRACT, 2, second, 10, "id");
        assertThatThrownBy(() -> good.withReorgWindow(0)).hasMessageContaining("reorg_window 0");
        assertThat(good.reorgWindow()).isEqualTo(128);
    }
}
