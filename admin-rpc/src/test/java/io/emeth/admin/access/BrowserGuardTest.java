package io.emeth.admin.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BrowserGuardTest {
    private final BrowserGuard guard = new BrowserGuard("node.example.org", List.of("10.0.0.5"));

    @Test
    void shouldAdmitToolsCallingUnderTheNodesOwnNames() {
        assertThat(guard.refusal("http", "node.example.org:5000", null, null)).isEmpty();
        assertThat(guard.refusal("http", "NODE.example.org.:5000", null, null)).isEmpty();
        assertThat(guard.refusal("http", "127.0.0.1:5000", null, null)).isEmpty();
        assertThat(guard.refusal("http", "127.0.0.2", null, null)).isEmpty();
        assertThat(guard.refusal("http", "localhost:5000", null, null)).isEmpty();
        assertThat(guard.refusal("http", "[::1]:5000", null, null)).isEmpty();
        assertThat(guard.refusal("http", "10.0.0.5:5000", null, null)).isEmpty();
    }

    @Test
    void shouldRefuseAHostNameADnsRebindingPageWouldSend() {
        assertThat(guard.refusal("http", "rebind.attacker.example:5000", null, null))
                .hasValueSatisfying(
                        m ->
                                assertThat(m)
                                        .contains("rebind.attacker.example:5000")
                                        .contains("allowed_hosts"));
        assertThat(guard.refusal("http", "10.0.0.6:5000", null, null)).isPresent();
        assertThat(guard.refusal("http", null, null, null)).isPresent();
        assertThat(guard.refusal("http", "::1:5000", null, null)).isPresent();
        assertThat(guard.refusal("http", "user@localhost:5000", null, null)).isPresent();
        assertThat(guard.refusal("http", "localhost:50x0", null, null)).isPresent();
    }

    @Test
    void shouldRefuseCrossSiteAndSameSiteFetches() {
        assertThat(guard.refusal("http", "localhost:5000", null, "cross-site"))
                .hasValueSatisfying(m -> assertThat(m).contains("Sec-Fetch-Site: cross-site"));
        // another port of localhost is the same site, but not the same origin
        assertThat(guard.refusal("http", "localhost:5000", null, "same-site")).isPresent();
        assertThat(guard.refusal("http", "localhost:5000", null, "same-origin")).isEmpty();
        assertThat(guard.refusal("http", "localhost:5000", null, "none")).isEmpty();
    }

    @Test
    void shouldAdmitOnlyThisOriginWhenABrowserNamesOne() {
        assertThat(guard.refusal("http", "localhost:5000", "http://localhost:5000", null))
                .isEmpty();
        assertThat(guard.refusal("http", "node.example.org", "http://node.example.org:80", null))
                .isEmpty();
        assertThat(guard.refusal("http", "localhost:5000", "http://localhost:8080", null))
                .hasValueSatisfying(m -> assertThat(m).contains("http://localhost:8080"));
        assertThat(guard.refusal("http", "localhost:5000", "https://evil.example", null))
                .isPresent();
        assertThat(guard.refusal("http", "localhost:5000", "null", null)).isPresent();
        assertThat(guard.refusal("https", "localhost", "http://localhost", null)).isPresent();
    }
}
