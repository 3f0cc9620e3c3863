package io.emeth.chain.indexer;

import java.util.Locale;
import java.util.regex.Pattern;

/** Hex-string checks for values that come from the node. */
final class Hex {
    private static final Pattern WORD = Pattern.compile("0x[0-9a-fA-F]{64}");
    private static final Pattern DATA = Pattern.compile("0x([0-9a-fA-F]{2})*");

    private Hex() {}

    static String lower(String hex) {
        return hex.toLowerCase(Locale.ROOT);
    }

    /** 0x + 64 hex digits: a hash or a log topic. */
    static boolean isWord(String value) {
        return value != null && WORD.matcher(value).matches();
    }

    /** 0x + an even number of hex digits. */
    static boolean isData(String value) {
        return value != null && DATA.matcher(value).matches();
    }
}
