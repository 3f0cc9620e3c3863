package io.emeth.admin.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which client addresses may call an endpoint ({@code jsonrpc_whitelist}, {@code
 * worker_whitelist}): IPv4 and IPv6 addresses, CIDR ranges of either, {@code *} (anyone) and {@code
 * localhost} (127.0.0.1 and ::1). Ethereum addresses ({@code 0x…}) in the list name workers by
 * account for the master's registration check; they grant no network access here.
 *
 * <p>Entries are parsed without DNS: anything that is not a literal address is refused with a
 * message naming it. An IPv4-mapped IPv6 client ({@code ::ffff:a.b.c.d}) matches as its IPv4
 * address.
 */
public final class Whitelist {
    private static final Pattern IPV4 =
            Pattern.compile(
                    "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]{2,45}");
    private static final Pattern ETH_ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    private final String name;
    private final List<String> entries;
    private final List<CidrRange> ranges;
    private final List<String> accounts;
    private final boolean anyone;

    private Whitelist(
            String name,
            List<String> entries,
            List<CidrRange> ranges,
            List<String> accounts,
            boolean anyone) {
        this.name = name;
        this.entries = List.copyOf(entries);
        this.ranges = List.copyOf(ranges);
        this.accounts = List.copyOf(accounts);
        this.anyone = anyone;
    }

    /**
     * Parses the entries of the config key {@code name}.
     *
     * @throws IllegalArgumentException naming the key and the entry that is not an address, range,
     *     {@code *} or {@code localhost}
     */
    public static Whitelist parse(String name, List<String> entries) {
        Objects.requireNonNull(entries, name);
        List<CidrRange> ranges = new ArrayList<>();
        List<String> accounts = new ArrayList<>();
        boolean anyone = false;
        for (String raw : entries) {
            String entry = raw == null ? "" : raw.strip();
            if (entry.equals("*")) {
                anyone = true;
            } else if (entry.toLowerCase(Locale.ROOT).equals("localhost")) {
                ranges.add(CidrRange.host(literal(name, "127.0.0.1")));
                ranges.add(CidrRange.host(literal(name, "::1")));
            } else if (ETH_ADDRESS.matcher(entry).matches()) {
                accounts.add(entry);
            } else {
                ranges.add(range(name, entry));
            }
        }
        return new Whitelist(name, entries, ranges, accounts, anyone);
    }

    /** Whether {@code client} may call. */
    public boolean allows(InetAddress client) {
        if (anyone) {
            return true;
        }
        InetAddress address = ClientAddresses.unmapped(client);
        for (CidrRange range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the list grants network access to anyone at all (it may hold only accounts). */
    public boolean grantsNetworkAccess() {
        return anyone || !ranges.isEmpty();
    }

    /** The worker accounts named in the list. */
    public List<String> accounts() {
        return accounts;
    }

    /** The config key the list came from, for messages. */
    public String name() {
        return name;
    }

    public List<String> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return name + entries;
    }

    private static CidrRange range(String name, String entry) {
        int slash = entry.indexOf('/');
        String ip = slash < 0 ? entry : entry.substring(0, slash);
        InetAddress address = literal(name, ip);
        int maxBits = address.getAddress().length * 8;
        int bits = maxBits;
        if (slash >= 0) {
            String prefix = entry.substring(slash + 1);
            if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > maxBits) {
                throw new IllegalArgumentException(
                        name
                                + ": '"
                                + abbreviate(entry)
                                + "' has a bad prefix length; use 0.."
                                + maxBits
                                + " for an IPv"
                                + (maxBits == 32 ? "4" : "6")
                                + " range, e.g. 10.0.0.0/8 or fd00::/8");
            }
            bits = Integer.parseInt(prefix);
        }
        return new CidrRange(address, bits);
    }

    /** Parses a literal IPv4 or IPv6 address, never resolving a host name. */
    static InetAddress literal(String name, String text) {
        boolean v4 = IPV4.matcher(text).matches();
        boolean v6 = !v4 && text.contains(":") && IPV6_CHARS.matcher(text).matches();
        if (!v4 && !v6) {
            throw notAnEntry(name, text);
        }
        try {
            // only literal text gets here, so this never asks DNS; "::ffff:1.2.3.4" becomes IPv4
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw notAnEntry(name, text);
        }
    }

    private static IllegalArgumentException notAnEntry(String name, String text) {
        return new IllegalArgumentException(
                name
                        + ": '"
                        + abbreviate(text)
                        + "' is not an IP address, a CIDR range, '*', 'localhost' or a 0x account;"
                        + " fix or remove the entry");
    }

    private static String abbreviate(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }
}
