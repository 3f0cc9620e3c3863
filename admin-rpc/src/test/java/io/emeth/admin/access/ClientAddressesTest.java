package io.emeth.admin.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address counts as the client, with and without trusted proxies. */
class ClientAddressesTest {
    private final ClientAddresses behindProxy =
            new ClientAddresses(
                    Whitelist.parse("trusted_proxies", List.of("10.0.0.1", "10.0.1.0/24")));

    @Test
    void shouldIgnoreForwardedForWithoutTrustedProxies() {
        // Given a client that claims to be localhost
        String client =
                ClientAddresses.direct()
                        .client("203.0.113.7", List.of("127.0.0.1"))
                        .getHostAddress();

        // Then the peer counts
        assertThat(client).isEqualTo("203.0.113.7");
    }

    @Test
    void shouldIgnoreForwardedForFromAPeerThatIsNotATrustedProxy() {
        assertThat(behindProxy.client("203.0.113.7", List.of("127.0.0.1")).getHostAddress())
                .isEqualTo("203.0.113.7");
    }

    @Test
    void shouldTakeTheNearestUntrustedHopBehindATrustedProxy() {
        // Given a client that wrote a fake first hop, then went through two of our proxies
        String client =
                behindProxy
                        .client("10.0.0.1", List.of("127.0.0.1, 198.51.100.4", "10.0.1.9"))
                        .getHostAddress();

        // Then the hop our outer proxy saw counts, not the client's own claim
        assertThat(client).isEqualTo("198.51.100.4");
    }

    @Test
    void shouldUseThePeerWhenATrustedProxySendsNoHeader() {
        assertThat(behindProxy.client("10.0.0.1", List.of()).getHostAddress())
                .isEqualTo("10.0.0.1");
    }

    @Test
    void shouldAcceptHopsWithPortsAndBrackets() {
        assertThat(behindProxy.client("10.0.0.1", List.of("198.51.100.4:5555")).getHostAddress())
                .isEqualTo("198.51.100.4");
        assertThat(behindProxy.client("10.0.0.1", List.of("[2001:db8::5]:443")).getHostAddress())
                .isEqualTo("2001:db8:0:0:0:0:0:5");
    }

    @Test
    void shouldRefuseAHopThatIsNotAnAddressNamingIt() {
        assertThatThrownBy(() -> behindProxy.client("10.0.0.1", List.of("evil.example")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-Forwarded-For")
                .hasMessageContaining("evil.example");
    }

    @Test
    void shouldUnmapIpv4MappedPeers() {
        assertThat(ClientAddresses.parsePeer("[::ffff:127.0.0.1]").getHostAddress())
                .isEqualTo("127.0.0.1");
        assertThat(ClientAddresses.parsePeer("0:0:0:0:0:0:0:1").getHostAddress())
                .isEqualTo("0:0:0:0:0:0:0:1");
    }
}
