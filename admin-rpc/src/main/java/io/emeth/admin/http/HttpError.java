package io.emeth.admin.http;

import io.emeth.common.http.HttpRefusal;

/** A refusal the HTTP adapter answers as {@code {"error": message, "reason": reason}}. */
final class HttpError extends HttpRefusal {
    private static final long serialVersionUID = 1L;

    HttpError(int status, String reason, String message) {
        super(status, reason, message);
    }
}
