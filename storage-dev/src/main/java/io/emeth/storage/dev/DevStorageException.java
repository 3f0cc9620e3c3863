package io.emeth.storage.dev;

/**
 * A request the dev server refuses: the HTTP status, a stable machine-readable {@code reason} and a
 * message for people. Answered as {@code {"error": message, "reason": reason}}.
 */
final class DevStorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;

    DevStorageException(int status, String reason, String message) {
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

    static DevStorageException badRequest(String message) {
        return new DevStorageException(400, "bad_request", message);
    }

    static DevStorageException notFound(String message) {
        return new DevStorageException(404, "not_found", message);
    }
}
