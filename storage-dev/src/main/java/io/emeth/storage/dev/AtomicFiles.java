package io.emeth.storage.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;

/** Streamed, size-limited, atomic file writes shared by data set, part and upload storage. */
final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Copies {@code in} into a temporary file beside {@code target} while feeding {@code digest},
     * then moves it into place; answers the byte count.
     *
     * @throws DevStorageException 413 when the body exceeds {@code maxBytes} (nothing is kept)
     */
    static long writeLimited(
            InputStream in, Path target, long maxBytes, MessageDigest digest, String what)
            throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
        try {
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(tmp)) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    total += n;
                    if (total > maxBytes) {
                        throw tooLarge(what, maxBytes);
                    }
                    digest.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            moveIntoPlace(tmp, target);
            return total;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static DevStorageException tooLarge(String what, long maxBytes) {
        return new DevStorageException(
                413,
                "too_large",
                what + " is larger than the server's limit of " + maxBytes + " bytes");
    }

    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".json");
        try {
            Files.write(tmp, bytes);
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
