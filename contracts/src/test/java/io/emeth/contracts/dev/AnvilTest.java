package io.emeth.contracts.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnvilTest {
    private static final Path BINARY = Path.of("/opt/anvil");

    @Test
    void shouldAlwaysPruneHistoryAndAutomineByDefault() {
        // Given the default options with an explicit binary
        Anvil.Options options = Anvil.Options.defaults().withBinary(BINARY);
        // When the command is built
        // Then anvil keeps 64 states, listens on loopback, picks a port and has no block time
        assertThat(Anvil.command(options))
                .containsExactly(
                        "/opt/anvil",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--chain-id",
                        "31337",
                        "--prune-history",
                        "64");
    }

    @Test
    void shouldPassBlockTimeStateAndChainId() {
        Anvil.Options options =
                Anvil.Options.defaults()
                        .withBinary(BINARY)
                        .withPort(8545)
                        .withChainId(1337)
                        .withBlockTime(Duration.ofMillis(500))
                        .withStateFile(Path.of("/data/state.json"))
                        .withStateInterval(Duration.ofMillis(2500));
        assertThat(String.join(" ", Anvil.command(options)))
                .contains("--port 8545")
                .contains("--chain-id 1337")
                .contains("--block-time 0.5")
                .contains("--state /data/state.json")
                .contains("--state-interval 2");
        assertThat(Anvil.command(options.withBlockTime(Duration.ofSeconds(2))))
                .containsSequence("--block-time", "2");
    }

    @Test
    void shouldRejectInvalidOptionsNamingTheValue() {
        Anvil.Options defaults = Anvil.Options.defaults();
        assertThatThrownBy(() -> defaults.withPort(70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("anvil port 70000 is not in 0..65535");
        assertThatThrownBy(() -> defaults.withPort(-1)).hasMessageContaining("port -1");
        assertThatThrownBy(() -> defaults.withChainId(0)).hasMessageContaining("chain id 0");
        assertThatThrownBy(() -> defaults.withBlockTime(Duration.ZERO))
                .hasMessageContaining("block time PT0S is not positive");
        assertThatThrownBy(() -> defaults.withHost(" ")).hasMessageContaining("host is empty");
    }

    @Test
    void shouldReadTheListeningPortFromAnvilOutput() {
        assertThat(AnvilStartup.listeningPort("banner\n\nListening on 127.0.0.1:38883\n"))
                .isEqualTo(38883);
        assertThat(AnvilStartup.listeningPort("Private Keys\n(0) 0xac09")).isZero();
    }

    @Test
    void shouldBuildClientUrlsForWildcardAndIpv6Hosts() {
        assertThat(AnvilStartup.rpcUrl("127.0.0.1", 8545)).isEqualTo("http://127.0.0.1:8545");
        assertThat(AnvilStartup.rpcUrl("0.0.0.0", 8545)).isEqualTo("http://127.0.0.1:8545");
        assertThat(AnvilStartup.rpcUrl("::1", 8545)).isEqualTo("http://[::1]:8545");
    }
}
