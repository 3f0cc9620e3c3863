package io.emeth.master.routing;

import io.emeth.common.eth.Addresses;
import io.emeth.contracts.JobIds;

/** Lenient parsing of ids arriving on the input topics: null instead of an exception. */
public final class Inputs {
    private Inputs() {}

    /** The checksummed address, or null when {@code value} is not an address. */
    public static String address(String value) {
        if (value == null || !Addresses.isValid(value)) {
            return null;
        }
        return Addresses.checksummed(value);
    }

    /** The canonical job id, or null when {@code value} is not one. */
    public static String jobId(String value) {
        if (value == null) {
            return null;
        }
        try {
            return JobIds.normalize(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code text} cut to {@code max} characters, for echoing untrusted strings. */
    public static String clip(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
