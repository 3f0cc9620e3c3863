package io.emeth.admin.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One JSON-RPC method: validates its params, does its work and returns the {@code result}. An
 * {@link RpcException} becomes that error; any other exception an internal error (−32603).
 */
@FunctionalInterface
public interface RpcMethod {
    JsonNode call(RpcParams params, RpcCaller caller) throws Exception;
}
