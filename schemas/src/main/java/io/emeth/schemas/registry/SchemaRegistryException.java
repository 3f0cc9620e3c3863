package io.emeth.schemas.registry;

/**
 * A failed registry call, carrying what the Confluent REST API answers: the HTTP status, the
 * registry's {@code error_code} and its message. Transport failures (registry unreachable) have
 * status and error code {@code 0}.
 *
 * <p>The in-memory registry and the registry server throw the same exception with the same codes,
 * so callers handle every registry alike.
 */
public class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int INVALID_SUBJECT = 42208;
    public static final int STORE_ERROR = 50001;
    public static final int OPERATION_TIMEOUT = 50002;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        this(httpStatus, errorCode, message, null);
    }

    public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** The HTTP status the registry answered, or 0 when it could not be reached. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code} (e.g. 40401), or 0 when it could not be reached. */
    public int errorCode() {
        return errorCode;
    }

    public static SchemaRegistryException subjectNotFound(String subject) {
        return new SchemaRegistryException(
                404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    public static SchemaRegistryException versionNotFound(String subject, int version) {
        return new SchemaRegistryException(
                404,
                VERSION_NOT_FOUND,
                "Version " + version + " not found for subject '" + subject + "'.");
    }

    public static SchemaRegistryException schemaNotFound(String detail) {
        return new SchemaRegistryException(404, SCHEMA_NOT_FOUND, "Schema not found: " + detail);
    }

    public static SchemaRegistryException invalidSchema(String detail, Throwable cause) {
        return new SchemaRegistryException(422, INVALID_SCHEMA, "Invalid schema: " + detail, cause);
    }
}
