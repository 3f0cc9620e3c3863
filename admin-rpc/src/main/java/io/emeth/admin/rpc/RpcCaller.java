package io.emeth.admin.rpc;

/**
 * Who sent a request, as far as the transport knows: the client's address (after trusted-proxy
 * resolution), recorded as {@code requestedBy} on the commands a method publishes.
 */
public record RpcCaller(String address) {
    /** A caller the transport could not identify. */
    public static final RpcCaller UNKNOWN = new RpcCaller("unknown");
}
