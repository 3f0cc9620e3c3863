package io.emeth.admin.access;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the address a whitelist is checked against. By default the TCP peer; {@code
 * X-Forwarded-For} is honoured only when the peer is a configured trusted proxy, and then the
 * nearest untrusted hop is the client (hops are read right to left, since a client can write any
 * left part). Without trusted proxies the header is ignored, so nobody can claim another address.
 */
public final class ClientAddresses {
    /** The header a reverse proxy appends the client's address to. */
    public static final String FORWARDED_FOR = "X-Forwarded-For";

    private final Whitelist trustedProxies;

    /** {@code trustedProxies} may be empty: then every forwarded-for header is ignored. */
    public ClientAddresses(Whitelist trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    /** No trusted proxy: the peer is always the client. */
    public static ClientAddresses direct() {
        return new ClientAddresses(Whitelist.parse("trusted_proxies", List.of()));
    }

    /**
     * The client of a request from {@code peer} carrying the {@code X-Forwarded-For} header values
     * {@code forwardedFor} (each may be a comma-separated list).
     *
     * @throws IllegalArgumentException when a trusted proxy forwarded a hop that is not an address
     */
    public InetAddress client(String peer, List<String> forwardedFor) {
        InetAddress direct = parsePeer(peer);
        if (!trustedProxies.grantsNetworkAccess() || !trustedProxies.allows(direct)) {
            return direct;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            Arrays.stream(header.split(","))
                    .map(String::strip)
                    .filter(h -> !h.isEmpty())
                    .forEach(hops::add);
        }
        InetAddress client = direct;
        for (int i = hops.size() - 1; i >= 0; i--) {
            client = hop(hops.get(i));
            if (!trustedProxies.allows(client)) {
                return client;
            }
        }
        return client;
    }

    /** The peer address as the server reports it: a literal, possibly in brackets. */
    public static InetAddress parsePeer(String peer) {
        if (peer == null || peer.isEmpty()) {
            throw new IllegalArgumentException("the server reported no peer address");
        }
        String text =
                peer.startsWith("[") && peer.endsWith("]")
                        ? peer.substring(1, peer.length() - 1)
                        : peer;
        try {
            return unmapped(Whitelist.literal("peer", text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the server reported a peer address '" + text + "' that is not an IP literal",
                    e);
        }
    }

    /** An IPv4-mapped IPv6 address as its IPv4 address; any other address unchanged. */
    public static InetAddress unmapped(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("4 bytes are always an IPv4 address", e);
                }
            }
        }
        return address;
    }

    private static InetAddress hop(String text) {
        String ip = text;
        if (ip.startsWith("[")) {
            int close = ip.indexOf(']');
            ip = close < 0 ? ip : ip.substring(1, close);
        } else if (ip.indexOf(':') >= 0 && ip.indexOf(':') == ip.lastIndexOf(':')) {
            ip = ip.substring(0, ip.indexOf(':')); // IPv4 with a port
        }
        try {
            return unmapped(Whitelist.literal(FORWARDED_FOR, ip));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    FORWARDED_FOR
                            + " from a trusted proxy holds '"
                            + (text.length() > 60 ? text.substring(0, 57) + "..." : text)
                            + "', not an IP address; fix the proxy's configuration");
        }
    }
}
