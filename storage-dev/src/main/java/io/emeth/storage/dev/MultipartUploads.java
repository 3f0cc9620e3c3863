package io.emeth.storage.dev;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * S3-style multipart uploads on disk: {@code uploads/{uploadId}/upload.json} describes an upload,
 * {@code part-N} holds part N (1-based); completion checks that every part 1..n is listed in order
 * with the ETag its PUT answered, then concatenates them into {@code result/{fileName}}. Completion
 * is idempotent (a client retrying after a lost answer gets the same file), and all of it survives
 * a restart.
 */
final class MultipartUploads {
    /** An upload; {@code etags} and {@code size} are set once it is completed. */
    record Meta(
            String uploadId,
            String jobId,
            String address,
            int parts,
            String extension,
            String fileName,
            long createdAtMs,
            List<String> etags,
            long size) {}

    /** One entry of completeUpload's {@code parts}. */
    record PartRef(String etag, int partNumber) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Path results;
    private final Clock clock;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    MultipartUploads(Path dir, Path results, Clock clock) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.results = results;
        this.clock = clock;
    }

    Meta create(String jobId, String address, int parts, String extension) throws IOException {
        String uploadId = randomHex(16);
        String fileName = jobId + "-" + randomHex(8) + extension;
        Meta meta =
                new Meta(
                        uploadId,
                        jobId,
                        address,
                        parts,
                        extension,
                        fileName,
                        clock.millis(),
                        null,
                        0);
        Files.createDirectories(dir.resolve(uploadId));
        save(meta);
        return meta;
    }

    Meta meta(String uploadId) throws IOException {
        Path file = dir.resolve(Names.uploadId(uploadId)).resolve("upload.json");
        if (!Files.isRegularFile(file)) {
            throw DevStorageException.notFound("unknown uploadId " + uploadId);
        }
        return DevStore.JSON.readValue(file.toFile(), Meta.class);
    }

    /** Stores part {@code partNumber} (1-based) and answers its quoted md5 ETag, as S3 does. */
    String putPart(String uploadId, int partNumber, InputStream body, long maxBytes)
            throws IOException {
        Meta meta = meta(uploadId);
        if (partNumber < 1 || partNumber > meta.parts()) {
            throw DevStorageException.badRequest(
                    "part " + partNumber + " is outside 1.." + meta.parts() + " of this upload");
        }
        if (meta.etags() != null) {
            throw new DevStorageException(
                    409, "upload_completed", "upload " + uploadId + " is already completed");
        }
        MessageDigest md5 = DevStore.digest("MD5");
        Path part = dir.resolve(uploadId).resolve("part-" + partNumber);
        AtomicFiles.writeLimited(body, part, maxBytes, md5, "part " + partNumber);
        String etag = "\"" + HexFormat.of().formatHex(md5.digest()) + "\"";
        AtomicFiles.writeAtomically(
                dir.resolve(uploadId).resolve("part-" + partNumber + ".etag"), etag.getBytes());
        return etag;
    }

    Meta complete(
            String uploadId, String jobId, String address, String extension, List<PartRef> parts)
            throws IOException {
        synchronized (locks.computeIfAbsent(uploadId, k -> new Object())) {
            Meta meta = meta(uploadId);
            same("jobId", jobId, meta.jobId());
            same("address", address.toLowerCase(), meta.address().toLowerCase());
            same("extension", extension, meta.extension());
            List<String> etags = new ArrayList<>();
            parts.forEach(p -> etags.add(unquote(p.etag())));
            if (meta.etags() != null) {
                if (meta.etags().equals(etags)) {
                    return meta; // a retried completion: same answer
                }
                throw new DevStorageException(
                        409,
                        "upload_completed",
                        "upload " + uploadId + " was completed with other parts");
            }
            checkPartList(parts, meta.parts());
            for (PartRef p : parts) {
                checkStoredPart(uploadId, p);
            }
            long size = assemble(uploadId, meta);
            Meta done =
                    new Meta(
                            meta.uploadId(),
                            meta.jobId(),
                            meta.address(),
                            meta.parts(),
                            meta.extension(),
                            meta.fileName(),
                            meta.createdAtMs(),
                            List.copyOf(etags),
                            size);
            save(done);
            for (int n = 1; n <= meta.parts(); n++) {
                Files.deleteIfExists(dir.resolve(uploadId).resolve("part-" + n));
                Files.deleteIfExists(dir.resolve(uploadId).resolve("part-" + n + ".etag"));
            }
            return done;
        }
    }

    private static void checkPartList(List<PartRef> parts, int expected) {
        int previous = 0;
        for (PartRef p : parts) {
            int n = p.partNumber();
            if (n < 1 || n > expected) {
                throw DevStorageException.badRequest(
                        "parts: PartNumber "
                                + n
                                + " is outside 1.."
                                + expected
                                + " of this upload");
            }
            if (n <= previous) {
                throw DevStorageException.badRequest(
                        "parts: PartNumbers must be ascending without repeats; "
                                + n
                                + " follows "
                                + previous);
            }
            if (n != previous + 1) {
                throw DevStorageException.badRequest(
                        "parts: PartNumber " + (previous + 1) + " is missing");
            }
            previous = n;
        }
        if (previous < expected) {
            throw DevStorageException.badRequest(
                    "parts: PartNumber "
                            + (previous + 1)
                            + " is missing (the upload has "
                            + expected
                            + ")");
        }
    }

    private void checkStoredPart(String uploadId, PartRef p) throws IOException {
        Path etagFile = dir.resolve(uploadId).resolve("part-" + p.partNumber() + ".etag");
        if (!Files.isRegularFile(etagFile)) {
            throw DevStorageException.badRequest(
                    "part " + p.partNumber() + " was never uploaded; PUT it to its URL first");
        }
        String stored = unquote(Files.readString(etagFile));
        if (!stored.equals(unquote(p.etag()))) {
            throw DevStorageException.badRequest(
                    "ETag of part "
                            + p.partNumber()
                            + " does not match the uploaded part: sent "
                            + Names.printable(p.etag())
                            + ", stored \""
                            + stored
                            + "\"");
        }
    }

    private long assemble(String uploadId, Meta meta) throws IOException {
        Path tmp = Files.createTempFile(results, ".tmp-", ".assembling");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                for (int n = 1; n <= meta.parts(); n++) {
                    try (FileChannel in =
                            FileChannel.open(dir.resolve(uploadId).resolve("part-" + n))) {
                        long size = in.size();
                        for (long pos = 0; pos < size; ) {
                            pos += in.transferTo(pos, size - pos, out);
                        }
                    }
                }
                out.force(true);
            }
            long size = Files.size(tmp);
            AtomicFiles.moveIntoPlace(tmp, results.resolve(meta.fileName()));
            return size;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void same(String field, String given, String expected) {
        if (!expected.equals(given)) {
            throw DevStorageException.badRequest(
                    field
                            + " '"
                            + Names.printable(given)
                            + "' does not match the upload's '"
                            + expected
                            + "'");
        }
    }

    private void save(Meta meta) throws IOException {
        AtomicFiles.writeAtomically(
                dir.resolve(meta.uploadId()).resolve("upload.json"),
                DevStore.JSON.writeValueAsBytes(meta));
    }

    private static String unquote(String etag) {
        String e = etag == null ? "" : etag.strip();
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")
                ? e.substring(1, e.length() - 1)
                : e;
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
