package io.emeth.common.storage;

import java.io.IOException;

/**
 * A storage API call that failed, naming the endpoint, the HTTP status (0 when no response came)
 * and the job, e.g. {@code POST /api/v1/node/signed-get-url [jobId:0x…]: HTTP 401: signature by 0x…
 * does not match address 0x…}.
 */
public final class StorageException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final int status;
    private final String jobId;
    private final String detail;
    private final boolean retryable;

    public StorageException(
            String endpoint,
            int status,
            String jobId,
            String detail,
            boolean retryable,
            Throwable cause) {
        super(format(endpoint, status, jobId, detail), cause);
        this.endpoint = endpoint;
        this.status = status;
        this.jobId = jobId;
        this.detail = detail;
        this.retryable = retryable;
    }

    private static String format(String endpoint, int status, String jobId, String detail) {
        StringBuilder sb = new StringBuilder(endpoint);
        if (jobId != null) {
            sb.append(" [jobId:").append(jobId).append(']');
        }
        sb.append(": ");
        if (status > 0) {
            sb.append("HTTP ").append(status).append(": ");
        }
        return sb.append(detail).toString();
    }

    /** Method and path, e.g. {@code POST /api/v1/node/signed-get-url}. */
    public String endpoint() {
        return endpoint;
    }

    /** The HTTP status, or 0 when the call failed before a response. */
    public int status() {
        return status;
    }

    /** The job the call was for, or null. */
    public String jobId() {
        return jobId;
    }

    /** What went wrong, without the endpoint and status prefix. */
    public String detail() {
        return detail;
    }

    /** Whether trying again may succeed (a 5xx, 429 or I/O failure). */
    public boolean retryable() {
        return retryable;
    }
}
