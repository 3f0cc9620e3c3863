package io.emeth.admin.sink;

import io.emeth.schemas.registry.SchemaRegistryException;

/**
 * A batch cannot be applied now for a reason that is not the records' fault: the schema registry
 * cannot be reached, times out or answers 5xx (or 408/429). The sink rolls the batch back and
 * retries it with back-off; no offset advances and no record is rejected.
 */
final class TransientSinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TransientSinkException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code e} (or a cause) is a registry failure that passes, rather than a fault of the
     * record. Only the registry decides: an {@code IOException} inside a decoding error is Avro
     * running out of a truncated value, which no retry mends.
     */
    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException registry) {
                int status = registry.httpStatus();
                return status == 0 || status >= 500 || status == 408 || status == 429;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
