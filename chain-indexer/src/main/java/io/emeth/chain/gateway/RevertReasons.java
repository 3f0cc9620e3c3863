package io.emeth.chain.gateway;

import io.emeth.chain.rpc.RpcException;
import io.emeth.contracts.RevertData;
import java.util.Locale;

/**
 * Reads a revert reason out of what a node answers for a reverting call: the ABI-encoded {@code
 * Error(string)} in the error's data, or the reason the node already put in its message. Pure.
 */
final class RevertReasons {
    private RevertReasons() {}

    /** Whether {@code e} (of an {@code eth_estimateGas} or {@code eth_call}) is a revert. */
    static boolean isRevert(RpcException e) {
        return e.code() == 3 || e.rpcMessage().toLowerCase(Locale.ROOT).contains("revert");
    }

    /** The reason of a reverted call, as specific as the node's answer allows. */
    static String of(RpcException e) {
        String decoded = decode(e.data());
        if (decoded != null) {
            return decoded;
        }
        String message = e.rpcMessage();
        return message.isBlank() ? "reverted without a reason" : RevertData.clip(message);
    }

    /** The string of ABI-encoded {@code Error(string)} data, or null when it is not one. */
    static String decode(String data) {
        return RevertData.reason(data);
    }
}
