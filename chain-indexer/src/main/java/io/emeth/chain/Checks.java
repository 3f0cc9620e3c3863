package io.emeth.chain;

import io.emeth.common.eth.Addresses;
import java.time.Duration;
import java.util.Objects;

/** Config validation shared by the indexer's and the gateway's config records. */
public final class Checks {
    private Checks() {}

    /** The checksummed address, or an error naming {@code key} and what is wrong. */
    public static String checkedAddress(String key, String value) {
        try {
            return Addresses.checksummed(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** Throws naming {@code key} unless {@code min <= value <= max}. */
    public static void requireBetween(String key, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, key);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                    key
                            + " "
                            + value.toMillis()
                            + " ms is not in "
                            + min.toMillis()
                            + ".."
                            + max.toMillis()
                            + " ms");
        }
    }
}
