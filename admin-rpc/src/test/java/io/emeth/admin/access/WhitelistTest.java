package io.emeth.admin.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Whitelist entries and matching, including the edges of CIDR ranges of both families. */
class WhitelistTest {

    @ParameterizedTest
    @CsvSource({
        // entry, client, allowed
        "127.0.0.1, 127.0.0.1, true",
        "127.0.0.1, 127.0.0.2, false",
        "127.0.0.1, ::1, false",
        "localhost, 127.0.0.1, true",
        "localhost, ::1, true",
        "localhost, 127.0.0.2, false",
        "*, 203.0.113.9, true",
        "*, 2001:db8::1, true",
        "10.0.0.0/8, 10.0.0.0, true",
        "10.0.0.0/8, 10.255.255.255, true",
        "10.0.0.0/8, 11.0.0.0, false",
        "10.0.0.0/8, 9.255.255.255, false",
        "192.168.1.128/25, 192.168.1.127, false",
        "192.168.1.128/25, 192.168.1.128, true",
        "192.168.1.128/25, 192.168.1.255, true",
        "192.168.1.128/25, 192.168.2.0, false",
        "127.0.0.0/31, 127.0.0.1, true",
        "127.0.0.0/31, 127.0.0.2, false",
        "0.0.0.0/0, 198.51.100.1, true",
        "0.0.0.0/0, ::1, false",
        "10.1.2.3/32, 10.1.2.3, true",
        "10.1.2.3/32, 10.1.2.4, false",
        "10.9.9.9/8, 10.0.0.1, true",
        "::1, ::1, true",
        "::1, 127.0.0.1, false",
        "::1/128, ::1, true",
        "2001:db8::/32, 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true",
        "2001:db8::/32, 2001:db9::, false",
        "2001:db8::/32, 2001:db7:ffff:ffff:ffff:ffff:ffff:ffff, false",
        "fd00::/8, fdff::1, true",
        "fd00::/8, fe00::1, false",
        "2001:db8:0:0:0:0:0:80/121, 2001:db8::7f, false",
        "2001:db8:0:0:0:0:0:80/121, 2001:db8::80, true",
        "2001:db8:0:0:0:0:0:80/121, 2001:db8::ff, true",
        "2001:db8:0:0:0:0:0:80/121, 2001:db8::100, false",
        "::/0, 2001:db8::1, true",
        "::/0, 10.0.0.1, false",
        "127.0.0.1, ::ffff:127.0.0.1, true",
        "::ffff:10.0.0.1, 10.0.0.1, true"
    })
    void shouldMatchClientsAgainstAnEntry(String entry, String client, boolean allowed)
            throws Exception {
        Whitelist whitelist = Whitelist.parse("jsonrpc_whitelist", List.of(entry));
        assertThat(whitelist.allows(InetAddress.getByName(client)))
                .as("%s allows %s", entry, client)
                .isEqualTo(allowed);
    }

    @Test
    void shouldAllowWhenAnyEntryMatches() throws Exception {
        Whitelist whitelist =
                Whitelist.parse("worker_whitelist", List.of("10.0.0.1", "192.168.0.0/16", "::1"));
        assertThat(whitelist.allows(InetAddress.getByName("192.168.77.1"))).isTrue();
        assertThat(whitelist.allows(InetAddress.getByName("::1"))).isTrue();
        assertThat(whitelist.allows(InetAddress.getByName("10.0.0.2"))).isFalse();
    }

    @Test
    void shouldRefuseEveryoneWhenEmpty() throws Exception {
        Whitelist whitelist = Whitelist.parse("jsonrpc_whitelist", List.of());
        assertThat(whitelist.allows(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(whitelist.grantsNetworkAccess()).isFalse();
    }

    @Test
    void shouldKeepAccountsWithoutGrantingNetworkAccess() throws Exception {
        String account = "0x4B20993Bc481177ec7E8f571ceCaE8A9e22C02db";
        Whitelist whitelist = Whitelist.parse("worker_whitelist", List.of(account));
        assertThat(whitelist.accounts()).containsExactly(account);
        assertThat(whitelist.grantsNetworkAccess()).isFalse();
        assertThat(whitelist.allows(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "localhost.localdomain",
                "256.0.0.1",
                "1.2.3",
                "01.2.3.4",
                "1.2.3.4/33",
                "1.2.3.4/-1",
                "1.2.3.4/",
                "1.2.3.4/abc",
                "::1/129",
                "2001:db8::g",
                "fe80::1%eth0",
                "",
                " ",
                "**",
                "0x1234",
                "1.2.3.4 5.6.7.8"
            })
    void shouldRefuseAnEntryThatIsNotAnAddressNamingIt(String entry) {
        assertThatThrownBy(() -> Whitelist.parse("jsonrpc_whitelist", List.of(entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("jsonrpc_whitelist: '")
                .hasMessageContaining(
                        entry.strip().isEmpty() ? "'" : entry.strip().substring(0, 1));
    }

    @Test
    void shouldShortenAnOversizedEntryInTheError() {
        String huge = "x".repeat(100_000);
        assertThatThrownBy(() -> Whitelist.parse("jsonrpc_whitelist", List.of(huge)))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }
}
