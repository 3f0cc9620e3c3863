package io.emeth.contracts;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.web3j.utils.Numeric;

/** The reason string in a revert's data (ABI-encoded {@code Error(string)}). Pure. */
public final class RevertData {
    /** Selector of {@code Error(string)}. */
    public static final String ERROR_SELECTOR = "0x08c379a0";

    private static final int MAX_REASON = 500;

    private RevertData() {}

    /** The string of ABI-encoded {@code Error(string)} data, or null when it is not one. */
    public static String reason(String data) {
        if (data == null) {
            return null;
        }
        String hex = data.strip();
        if (hex.startsWith("\"") && hex.endsWith("\"") && hex.length() > 1) {
            hex = hex.substring(1, hex.length() - 1);
        }
        if (!hex.toLowerCase(Locale.ROOT).startsWith(ERROR_SELECTOR)) {
            return null;
        }
        try {
            byte[] bytes = Numeric.hexStringToByteArray(hex.substring(ERROR_SELECTOR.length()));
            if (bytes.length < 64) {
                return null;
            }
            long offset = Numeric.toBigInt(bytes, 0, 32).longValueExact();
            if (offset < 0 || offset + 32 > bytes.length) {
                return null;
            }
            long length = Numeric.toBigInt(bytes, (int) offset, 32).longValueExact();
            int start = (int) offset + 32;
            if (length < 0 || start + length > bytes.length) {
                return null;
            }
            return clip(new String(bytes, start, (int) length, StandardCharsets.UTF_8));
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    /** {@code reason} with control characters replaced and at most 500 characters kept. */
    public static String clip(String reason) {
        String printable = reason.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= MAX_REASON
                ? printable
                : printable.substring(0, MAX_REASON) + "…";
    }
}
