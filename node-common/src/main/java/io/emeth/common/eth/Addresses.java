package io.emeth.common.eth;

import java.util.regex.Pattern;
import org.web3j.crypto.Keys;

/**
 * Validation of Ethereum addresses typed by people (config files, JSON-RPC parameters): {@code 0x}
 * + 40 hex digits, and when the digits are mixed-case, a correct EIP-55 checksum, since a wrong one
 * almost always means a typo.
 */
public final class Addresses {
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    private Addresses() {}

    /** Whether {@code value} is a well-formed address with a valid checksum (when it has one). */
    public static boolean isValid(String value) {
        return problem(value) == null;
    }

    /**
     * The checksummed form of {@code value}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String checksummed(String value) {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return Keys.toChecksumAddress(value);
    }

    private static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "address is empty";
        }
        if (!ADDRESS.matcher(value).matches()) {
            return "not an Ethereum address (0x + 40 hex digits): '" + abbreviate(value) + "'";
        }
        String digits = value.substring(2);
        boolean mixed =
                !digits.equals(digits.toLowerCase()) && !digits.equals(digits.toUpperCase());
        if (mixed && !Keys.toChecksumAddress(value).equals(value)) {
            return "address has a wrong EIP-55 checksum (a typo?): '"
                    + value
                    + "', expected '"
                    + Keys.toChecksumAddress(value)
                    + "' if the digits are right";
        }
        return null;
    }

    private static String abbreviate(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }
}
