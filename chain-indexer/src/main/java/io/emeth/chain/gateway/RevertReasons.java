package io.emeth.chain.gateway;

import io.emeth.chain.rpc.RpcException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.web3j.utils.Numeric;

/**
 * Reads a revert reason out of what a node answers for a reverting call: the ABI-encoded {@code
 * Error(string)} in the error's data, or the reason the node already put in its message. Pure.
 */
final class RevertReasons {
    /** Selector of {@code Error(string)}. */
    static final String ERROR_SELECTOR = "0x08c379a0";

    private static final int MAX_REASON = 500;

    private RevertReasons() {}

    /** The reason of a reverted call, as specific as the node's answer allows. */
    static String of(RpcException e) {
        String decoded = decode(e.data());
        if (decoded != null) {
            return decoded;
        }
        String message = e.rpcMessage();
        return message.isBlank() ? "reverted without a reason" : clip(message);
    }

    /** The string of ABI-encoded {@code Error(string)} data, or null when it is not one. */
    static String decode(String data) {
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

    private static String clip(String reason) {
        String printable = reason.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= MAX_REASON
                ? printable
                : printable.substring(0, MAX_REASON) + "…";
    }
}
