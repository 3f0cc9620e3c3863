package io.emeth.storage.dev;

import java.util.regex.Pattern;

/**
 * The names the dev server accepts in paths and keys. Everything that becomes a file name is one
 * safe path segment (letters, digits, {@code . _ -}, no {@code ..}), so no request can reach
 * outside the storage root.
 */
final class Names {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final Pattern JOB_ID = Pattern.compile("0x[0-9a-fA-F]{32}");
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern EXTENSION = Pattern.compile("(\\.[A-Za-z0-9]{1,16})?");

    private Names() {}

    /** A data set or uploaded file name. */
    static String file(String what, String name) {
        if (name == null || !SEGMENT.matcher(name).matches() || name.contains("..")) {
            throw DevStorageException.badRequest(
                    what
                            + " must be 1-200 letters, digits, '.', '_' or '-', not starting with"
                            + " '.' and without '..': '"
                            + printable(name)
                            + "'");
        }
        return name;
    }

    static String jobId(String jobId) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw DevStorageException.badRequest(
                    "jobId must be 0x + 32 hex digits (the contract's bytes16): '"
                            + printable(jobId)
                            + "'");
        }
        return jobId.toLowerCase(java.util.Locale.ROOT);
    }

    static String uploadId(String uploadId) {
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw DevStorageException.badRequest(
                    "uploadId must be 32 lowercase hex digits: '" + printable(uploadId) + "'");
        }
        return uploadId;
    }

    static String extension(String extension) {
        String ext = extension == null ? "" : extension;
        if (!EXTENSION.matcher(ext).matches()) {
            throw DevStorageException.badRequest(
                    "extension must be empty or a dot and 1-16 letters or digits, like .zip: '"
                            + printable(extension)
                            + "'");
        }
        return ext;
    }

    /** The value, shortened and with control characters escaped, safe to put in a message. */
    static String printable(String value) {
        if (value == null) {
            return "(missing)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length() && sb.length() < 80; i++) {
            char c = value.charAt(i);
            sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : c);
        }
        return value.length() > 80 ? sb + "..." : sb.toString();
    }
}
