package io.emeth.admin.http;

/** A refusal the HTTP adapter answers as {@code {"error": message, "reason": reason}}. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;

    HttpError(int status, String reason, String message) {
        super(message);
        this.status = status;
        this.reason = reason;
    }

    int status() {
        return status;
    }

    String reason() {
        return reason;
    }
}
