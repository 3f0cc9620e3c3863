package io.emeth.admin.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A JSON-RPC error a method answers with: a spec code ({@link #INVALID_PARAMS} …) or a server code
 * (−32000 to −32099), a message naming the bad input, and optional data.
 */
public final class RpcException extends Exception {
    private static final long serialVersionUID = 1L;

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;

    /** Server error: the job or worker asked about does not exist. */
    public static final int NOT_FOUND = -32001;

    /** Server error: the request is valid but cannot be carried out now (chain unreachable …). */
    public static final int UNAVAILABLE = -32002;

    /**
     * Server error: the caller may not call (not in {@code jsonrpc_whitelist}, or a request a web
     * page could have sent); {@code data.reason} says which.
     */
    public static final int REFUSED = -32003;

    private final int code;
    private final transient JsonNode data;

    public RpcException(int code, String message) {
        this(code, message, null);
    }

    public RpcException(int code, String message, JsonNode data) {
        super(message);
        this.code = code;
        this.data = data;
    }

    public static RpcException invalidParams(String message) {
        return new RpcException(INVALID_PARAMS, message);
    }

    public int code() {
        return code;
    }

    /** Extra detail for the client, or null. */
    public JsonNode data() {
        return data;
    }
}
