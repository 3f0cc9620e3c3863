package io.emeth.common.http;

/**
 * A request an HTTP server of the node refuses: the status, a stable machine-readable {@code
 * reason} and a message for people, answered as {@code {"error": message, "reason": reason}}.
 */
public class HttpRefusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;

    public HttpRefusal(int status, String reason, String message) {
        super(message);
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }
}
