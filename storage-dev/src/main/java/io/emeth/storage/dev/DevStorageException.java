package io.emeth.storage.dev;

import io.emeth.common.http.HttpRefusal;

/**
 * A request the dev server refuses: the HTTP status, a stable machine-readable {@code reason} and a
 * message for people. Answered as {@code {"error": message, "reason": reason}}.
 */
final class DevStorageException extends HttpRefusal {
    private static final long serialVersionUID = 1L;

    DevStorageException(int status, String reason, String message) {
        super(status, reason, message);
    }

    static DevStorageException badRequest(String message) {
        return new DevStorageException(400, "bad_request", message);
    }

    static DevStorageException notFound(String message) {
        return new DevStorageException(404, "not_found", message);
    }
}
