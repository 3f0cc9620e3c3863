package io.emeth.chain.rpc;

import java.io.IOException;
import org.web3j.protocol.core.Response;

/**
 * A JSON-RPC call the node answered with an error object: keeps the error code and message so that
 * callers can tell a result limit or a revert from a transport failure.
 */
public final class RpcException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String rpcMessage;
    private final String data;

    public RpcException(String call, int code, String rpcMessage, String data) {
        super(call + " failed: JSON-RPC error " + code + ": " + rpcMessage);
        this.code = code;
        this.rpcMessage = rpcMessage == null ? "" : rpcMessage;
        this.data = data;
    }

    /** The response's result, or this exception when it carries an error or no result. */
    public static <T> T result(Response<T> response, String call) throws RpcException {
        if (response.hasError()) {
            Response.Error error = response.getError();
            throw new RpcException(call, error.getCode(), error.getMessage(), error.getData());
        }
        T result = response.getResult();
        if (result == null) {
            throw new RpcException(call, 0, "empty result", null);
        }
        return result;
    }

    /** The response itself once it is known to carry no error (for typed getters). */
    public static <R extends Response<?>> R checked(R response, String call) throws RpcException {
        if (response.hasError()) {
            Response.Error error = response.getError();
            throw new RpcException(call, error.getCode(), error.getMessage(), error.getData());
        }
        return response;
    }

    public int code() {
        return code;
    }

    public String rpcMessage() {
        return rpcMessage;
    }

    /** The error's {@code data} (for a revert: the ABI-encoded reason), or null. */
    public String data() {
        return data;
    }
}
