package io.emeth.chain.indexer;

import java.util.Locale;

/** Hex-string checks for values that come from the node (loops, not regexes: one per log field). */
final class Hex {
    private Hex() {}

    static String lower(String hex) {
        return hex.toLowerCase(Locale.ROOT);
    }

    /** 0x + 64 hex digits: a hash or a log topic. */
    static boolean isWord(String value) {
        return value != null && value.length() == 66 && isData(value);
    }

    /** 0x + an even number of hex digits. */
    static boolean isData(String value) {
        if (value == null
                || value.length() < 2
                || value.length() % 2 != 0
                || value.charAt(0) != '0'
                || value.charAt(1) != 'x') {
            return false;
        }
        return digits(value, 2);
    }

    /**
     * The bytes of {@code hex} (with or without 0x; an odd digit count reads as a leading zero).
     *
     * @throws IllegalArgumentException on a character that is not a hex digit
     */
    static byte[] bytes(String hex) {
        int from = hex.startsWith("0x") ? 2 : 0;
        int digits = hex.length() - from;
        byte[] out = new byte[(digits + 1) / 2];
        int i = from;
        int j = 0;
        if (digits % 2 == 1) {
            out[j++] = (byte) nibble(hex.charAt(i++));
        }
        for (; i < hex.length(); i += 2) {
            out[j++] = (byte) (nibble(hex.charAt(i)) << 4 | nibble(hex.charAt(i + 1)));
        }
        return out;
    }

    private static int nibble(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw new IllegalArgumentException("'" + c + "' is not a hex digit");
    }

    /** Whether {@code value} holds only hex digits (ASCII) from index {@code from} on. */
    static boolean digits(String value, int from) {
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }
}
