package io.emeth.contracts;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Converts job ids between their text form ({@code 0x} + 32 hex digits, the Kafka key of every job
 * topic) and the {@code bytes16} the contract and its web3j wrapper take.
 *
 * <p>Exists because a job id arrives from outside (JSON-RPC, CLI, chain logs) and must be rejected
 * with a clear message before it reaches a transaction.
 */
public final class JobIds {
    /** Length of a job id in bytes ({@code bytes16}). */
    public static final int LENGTH = 16;

    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_ECHO = 80;

    private JobIds() {}

    /**
     * The 16 bytes of {@code jobId}.
     *
     * @throws IllegalArgumentException naming the bad input when it is not {@code 0x} + 32 hex
     *     digits
     */
    public static byte[] toBytes(String jobId) {
        if (jobId == null) {
            throw new IllegalArgumentException(
                    "job id is null: expected 0x followed by 32 hex digits");
        }
        String trimmed = jobId.strip();
        if (!trimmed.startsWith("0x") && !trimmed.startsWith("0X")) {
            throw invalid(jobId, "missing 0x prefix");
        }
        String digits = trimmed.substring(2);
        if (digits.length() != LENGTH * 2) {
            throw invalid(jobId, digits.length() + " hex digits instead of 32");
        }
        for (int i = 0; i < digits.length(); i++) {
            if (!isAsciiHex(digits.charAt(i))) {
                throw invalid(jobId, "non-hex character at position " + (i + 2));
            }
        }
        return HEX.parseHex(digits.toLowerCase(Locale.ROOT));
    }

    /**
     * The canonical text form (lower-case hex) of a {@code bytes16} job id.
     *
     * @throws IllegalArgumentException when {@code bytes} is not exactly 16 bytes long
     */
    public static String toHex(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException(
                    "job id must be 16 bytes, got "
                            + (bytes == null ? "null" : bytes.length + " bytes"));
        }
        return "0x" + HEX.formatHex(bytes);
    }

    /** The canonical form of a job id given as text (lower-case, trimmed); validates it. */
    public static String normalize(String jobId) {
        return toHex(toBytes(jobId));
    }

    /** A fresh random job id, as requesters create them. */
    public static String random() {
        byte[] bytes = new byte[LENGTH];
        RANDOM.nextBytes(bytes);
        return toHex(bytes);
    }

    // Character.digit would accept non-ASCII digits such as U+0663, which parseHex then rejects.
    private static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static IllegalArgumentException invalid(String jobId, String why) {
        String shown =
                jobId.length() > MAX_ECHO
                        ? jobId.substring(0, MAX_ECHO) + "… (" + jobId.length() + " chars)"
                        : jobId;
        return new IllegalArgumentException(
                "invalid job id '"
                        + shown
                        + "': "
                        + why
                        + "; expected 0x followed by 32 hex digits");
    }
}
