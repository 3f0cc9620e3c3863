package io.emeth.admin.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A request's {@code params}, by name ({@code {"workerAddress": …}}) or by position ({@code
 * ["0x…"]}), as the spec allows. A method declares its parameter names in order; anything missing,
 * unknown, surplus or of the wrong type is an {@link RpcException#INVALID_PARAMS} naming it.
 */
public final class RpcParams {
    private static final int MAX_ECHO = 80;

    private final String method;
    private final JsonNode params;

    /** {@code params} is an object, an array, or null when the request had none. */
    public RpcParams(String method, JsonNode params) {
        this.method = method;
        this.params = params;
    }

    /**
     * Checks that only {@code names} are given (at most that many by position).
     *
     * @throws RpcException naming the first unknown or surplus parameter
     */
    public RpcParams expect(String... names) throws RpcException {
        if (params == null) {
            return this;
        }
        if (params.isArray() && params.size() > names.length) {
            throw RpcException.invalidParams(
                    method
                            + " takes "
                            + describe(names)
                            + " but got "
                            + params.size()
                            + " positional params");
        }
        if (params.isObject()) {
            Iterator<String> fields = params.fieldNames();
            while (fields.hasNext()) {
                String field = fields.next();
                if (!List.of(names).contains(field)) {
                    throw RpcException.invalidParams(
                            method
                                    + " has no param '"
                                    + abbreviate(field)
                                    + "'; it takes "
                                    + describe(names));
                }
            }
        }
        return this;
    }

    /** The string parameter {@code name} (position {@code index}); it must be given. */
    public String requiredString(String name, int index) throws RpcException {
        JsonNode value = get(name, index);
        if (value == null || value.isNull()) {
            throw RpcException.invalidParams(method + " needs param '" + name + "'");
        }
        if (!value.isTextual()) {
            throw RpcException.invalidParams(
                    method
                            + " param '"
                            + name
                            + "' must be a string, got "
                            + typeOf(value)
                            + " "
                            + abbreviate(value.toString()));
        }
        return value.asText();
    }

    private JsonNode get(String name, int index) {
        if (params == null) {
            return null;
        }
        return params.isArray() ? params.get(index) : params.get(name);
    }

    /** Shortens a value echoed in an error, so that a hostile input cannot flood the reply. */
    public static String abbreviate(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() <= MAX_ECHO ? value : value.substring(0, MAX_ECHO - 3) + "...";
    }

    /** The JSON type of a node, as an error names it. */
    public static String typeOf(JsonNode value) {
        return switch (value.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case NULL, MISSING -> "null";
            case STRING -> "a string";
            case BINARY -> "binary data";
        };
    }

    private static String describe(String[] names) {
        if (names.length == 0) {
            return "no params";
        }
        List<String> quoted = new ArrayList<>();
        for (String name : names) {
            quoted.add("'" + name + "'");
        }
        return String.join(", ", quoted);
    }
}
