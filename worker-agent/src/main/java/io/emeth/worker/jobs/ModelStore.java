package io.emeth.worker.jobs;

import io.emeth.common.storage.StorageClient;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.worker.hashchain.HashChain;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.TensorSource;
import io.emeth.worker.weights.WeightsCodec;
import io.emeth.worker.weights.WeightsFile;
import io.emeth.worker.weights.WeightsLayout;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Model weights in the storage API, as claim checks: uploads an encoding ({@link WeightsCodec},
 * extension {@code emwt}) and answers its {@link ModelRef} (the upload's fileName, sha256, size);
 * downloads a reference and refuses bytes whose size or sha256 differ from it, or that do not
 * decode to the job's model layout.
 */
final class ModelStore {

    /** The extension of uploaded weights. */
    static final String EXTENSION = "emwt";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final StorageClient storage;

    ModelStore(StorageClient storage) {
        this.storage = storage;
    }

    /**
     * Writes {@code encoded} to {@code file}, uploads it for {@code jobId} and answers its
     * reference.
     */
    ModelRef upload(String jobId, byte[] encoded, Path file) throws IOException {
        return uploadFile(jobId, encoded, file, EXTENSION);
    }

    /**
     * Encodes {@code weights} into {@code file} as it reads them, one tensor at a time (never the
     * whole encoding, nor a second copy of a live model, in memory: 1.4 GB for GPT-2 medium),
     * uploads it for {@code jobId} and answers its reference.
     */
    ModelRef upload(String jobId, TensorSource weights, Path file) throws IOException {
        String sha = write(weights, file);
        String fileName = storage.upload(jobId, file, EXTENSION);
        return ModelRef.newBuilder()
                .setUri(fileName)
                .setSha256(sha)
                .setSizeBytes(Files.size(file))
                .build();
    }

    /** Uploads a weights file already written (by {@link #write}) whose sha256 is known. */
    ModelRef upload(String jobId, Path file, String sha256) throws IOException {
        String fileName = storage.upload(jobId, file, EXTENSION);
        return ModelRef.newBuilder()
                .setUri(fileName)
                .setSha256(sha256)
                .setSizeBytes(Files.size(file))
                .build();
    }

    /**
     * Encodes {@code weights} into {@code file} (replacing it atomically) as it reads them, one
     * tensor at a time, and answers the encoding's sha256 (hex).
     */
    static String write(TensorSource weights, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        MessageDigest digest = sha256Digest();
        try (OutputStream out =
                new DigestOutputStream(
                        new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), digest)) {
            WeightsCodec.write(weights, out);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return hex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    /** Uploads any bytes (e.g. the result bundle) with {@code extension}. */
    ModelRef uploadFile(String jobId, byte[] bytes, Path file, String extension)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, bytes);
        String fileName = storage.upload(jobId, file, extension);
        return ModelRef.newBuilder()
                .setUri(fileName)
                .setSha256(hex(HashChain.sha256(bytes)))
                .setSizeBytes(bytes.length)
                .build();
    }

    /** Uploads a file already on disk (e.g. a result bundle too large to hold in memory). */
    ModelRef uploadPath(String jobId, Path file, String extension) throws IOException {
        String fileName = storage.upload(jobId, file, extension);
        return ModelRef.newBuilder()
                .setUri(fileName)
                .setSha256(hex(sha256(file)))
                .setSizeBytes(Files.size(file))
                .build();
    }

    /** sha256 of a file, streamed. */
    static byte[] sha256(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return digest.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    /**
     * Downloads the weights {@code ref} points to, checks them against {@code layout} and leaves
     * them in their file, read back one tensor at a time (see {@link WeightsFile}).
     *
     * @throws InvalidWeightsException when the bytes are not what the reference promises or not a
     *     model of this layout (the message names the reference)
     * @throws IOException when the storage API does not deliver them
     */
    WeightsFile downloadFile(String jobId, ModelRef ref, WeightsLayout layout, Path dir)
            throws IOException {
        String sha =
                ref.getSha256() == null ? "" : ref.getSha256().toLowerCase(java.util.Locale.ROOT);
        if (!SHA256.matcher(sha).matches()) {
            throw new InvalidWeightsException(
                    "model reference '"
                            + clip(ref.getUri())
                            + "' has no valid sha256 (64 hex characters)");
        }
        long expected = encodedSize(layout);
        if (ref.getSizeBytes() != expected) {
            throw new InvalidWeightsException(
                    "model '"
                            + clip(ref.getUri())
                            + "' declares "
                            + ref.getSizeBytes()
                            + " bytes; this job's model encodes to "
                            + expected);
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(sha + "." + EXTENSION);
        if (!Files.exists(file)) {
            storage.download(jobId, ref.getUri(), file);
        }
        long size = Files.size(file);
        if (size != expected) {
            Files.deleteIfExists(file);
            throw new InvalidWeightsException(
                    "model '"
                            + clip(ref.getUri())
                            + "' has "
                            + size
                            + " bytes, its reference says "
                            + expected);
        }
        // streamed, not read whole: GPT-2 medium's weights are 1.4 GB
        String actual = hex(sha256(file));
        if (!actual.equals(sha)) {
            Files.deleteIfExists(file);
            throw new InvalidWeightsException(
                    "model '"
                            + clip(ref.getUri())
                            + "' has sha256 "
                            + actual
                            + ", its reference says "
                            + sha);
        }
        return WeightsFile.open(file, layout);
    }

    /** As {@link #downloadFile}, decoded into memory (small weights: the DiLoCo momentum). */
    ModelWeights download(String jobId, ModelRef ref, WeightsLayout layout, Path dir)
            throws IOException {
        return downloadFile(jobId, ref, layout, dir).readAll();
    }

    /** The exact size of the {@link WeightsCodec} encoding of weights with this layout. */
    static long encodedSize(ModelWeights weights) {
        return WeightsCodec.encodedSize(weights);
    }

    /** The exact size of the {@link WeightsCodec} encoding of weights with this layout. */
    static long encodedSize(WeightsLayout layout) {
        return WeightsCodec.encodedSize(layout);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String clip(String value) {
        if (value == null) {
            return "null";
        }
        String printable = value.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 80) + "…";
    }
}
