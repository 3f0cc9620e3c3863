package io.emeth.admin.access;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a JSON-RPC request may have been sent by a web page the operator happens to have
 * open, and refuses it then. The IP whitelist cannot tell: in a DNS-rebinding attack the operator's
 * own browser, on a whitelisted host, posts to admin-rpc under the attacker's host name, and a
 * cross-site page on another port of the same machine is "localhost" too. So a request must name
 * one of the node's own host names in {@code Host} (the name in {@code my_url}, the loopback names,
 * and {@code allowed_hosts}), and when a browser says where it comes from ({@code Origin}, {@code
 * Sec-Fetch-Site}) it must be this very origin. Tools such as curl send neither header and pass.
 */
public final class BrowserGuard {
    private final Set<String> hostNames;

    /**
     * @param myUrlHost the host of {@code my_url}
     * @param extraHostNames {@code allowed_hosts}: further names the node is reached under
     */
    public BrowserGuard(String myUrlHost, Collection<String> extraHostNames) {
        Set<String> names = new LinkedHashSet<>();
        names.add(normalize(myUrlHost));
        names.add("localhost");
        names.add("::1");
        extraHostNames.forEach(name -> names.add(normalize(name)));
        this.hostNames = Set.copyOf(names);
    }

    /**
     * Why the request must be refused, or empty when it may go on.
     *
     * @param scheme the request's scheme ({@code http} or {@code https}), for default ports
     * @param host the {@code Host} header, or null
     * @param origin the {@code Origin} header, or null
     * @param fetchSite the {@code Sec-Fetch-Site} header, or null
     */
    public Optional<String> refusal(String scheme, String host, String origin, String fetchSite) {
        if (host == null || host.isBlank()) {
            return Optional.of("the request has no Host header");
        }
        Authority target = Authority.parse(host, scheme);
        if (target == null || !allowed(target.host())) {
            return Optional.of(
                    "Host '"
                            + abbreviate(host)
                            + "' is not a name of this node (my_url's host, localhost or"
                            + " allowed_hosts); add it to allowed_hosts if the node is reached"
                            + " under it");
        }
        if (fetchSite != null) {
            String site = fetchSite.strip().toLowerCase(Locale.ROOT);
            if (!site.equals("same-origin") && !site.equals("none")) {
                return Optional.of(
                        "a browser sent this request from another site (Sec-Fetch-Site: "
                                + abbreviate(fetchSite)
                                + "); JSON-RPC takes no calls from web pages");
            }
        }
        if (origin != null) {
            Authority from = originAuthority(origin);
            if (from == null || !from.equals(target)) {
                return Optional.of(
                        "a browser sent this request from the page origin '"
                                + abbreviate(origin)
                                + "', not from "
                                + abbreviate(host)
                                + "; JSON-RPC takes no calls from other origins");
            }
        }
        return Optional.empty();
    }

    /** The host names a request may carry in {@code Host}, loopback addresses aside. */
    public Set<String> hostNames() {
        return hostNames;
    }

    private boolean allowed(String host) {
        return hostNames.contains(host) || isIpv4Loopback(host);
    }

    private static boolean isIpv4Loopback(String host) {
        return host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static Authority originAuthority(String origin) {
        try {
            URI uri = new URI(origin.strip());
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return null;
            }
            return Authority.parse(uri.getRawAuthority(), uri.getScheme());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    static String normalize(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static String abbreviate(String value) {
        return value.length() <= 100 ? value : value.substring(0, 97) + "...";
    }

    /** A host name and port, the port defaulted from the scheme. */
    private record Authority(String host, int port) {
        static Authority parse(String authority, String scheme) {
            String a = authority.strip();
            if (a.contains("@")) {
                return null;
            }
            String host;
            String port = null;
            if (a.startsWith("[")) {
                int close = a.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = a.substring(1, close);
                String rest = a.substring(close + 1);
                if (rest.startsWith(":")) {
                    port = rest.substring(1);
                } else if (!rest.isEmpty()) {
                    return null;
                }
            } else {
                int colon = a.lastIndexOf(':');
                if (colon >= 0 && a.indexOf(':') != colon) {
                    return null; // an unbracketed IPv6 address is not a valid Host
                }
                host = colon >= 0 ? a.substring(0, colon) : a;
                port = colon >= 0 ? a.substring(colon + 1) : null;
            }
            if (host.isEmpty()) {
                return null;
            }
            int number;
            if (port == null || port.isEmpty()) {
                number = "https".equalsIgnoreCase(scheme) ? 443 : 80;
            } else if (port.matches("\\d{1,5}")) {
                number = Integer.parseInt(port);
            } else {
                return null;
            }
            return new Authority(normalize(host), number);
        }
    }
}
