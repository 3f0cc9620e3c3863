package io.emeth.admin.access;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A block of addresses: the first {@code bits} bits of {@code network}. An IPv4 range never
 * contains an IPv6 address or the reverse (mapped addresses are unmapped before matching).
 */
record CidrRange(InetAddress network, int bits) {
    CidrRange {
        Objects.requireNonNull(network, "network");
        int max = network.getAddress().length * 8;
        if (bits < 0 || bits > max) {
            throw new IllegalArgumentException("prefix length " + bits + " outside 0.." + max);
        }
    }

    static CidrRange host(InetAddress address) {
        return new CidrRange(address, address.getAddress().length * 8);
    }

    boolean contains(InetAddress address) {
        byte[] a = network.getAddress();
        byte[] b = address.getAddress();
        if (a.length != b.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }
}
