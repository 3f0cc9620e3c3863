package io.emeth.storage.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The dev server's files under its root: data sets in {@code dataset/}, completed uploads in {@code
 * result/}, job → data set bindings in {@code jobs/}. Every name is checked by {@link Names} before
 * it becomes a path, and every write is atomic, so a crash never leaves half a file visible.
 */
final class DevStore {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What a stored data set is. */
    record Stored(String name, long size, String sha256) {}

    private final Path root;
    private final Path datasets;
    private final Path results;
    private final Path jobs;

    private DevStore(Path root) {
        this.root = root;
        this.datasets = root.resolve("dataset");
        this.results = root.resolve("result");
        this.jobs = root.resolve("jobs");
    }

    static DevStore open(Path root) throws IOException {
        DevStore store = new DevStore(root.toAbsolutePath().normalize());
        for (Path dir : new Path[] {store.datasets, store.results, store.jobs}) {
            Files.createDirectories(dir);
        }
        return store;
    }

    Path root() {
        return root;
    }

    Path resultsDir() {
        return results;
    }

    Stored putDataset(String name, InputStream body, long maxBytes) throws IOException {
        Path target = datasets.resolve(Names.file("data set name", name));
        MessageDigest sha = sha256();
        long size = AtomicFiles.writeLimited(body, target, maxBytes, sha, "data set " + name);
        return new Stored(name, size, HexFormat.of().formatHex(sha.digest()));
    }

    /** The data set's file, or empty. */
    Optional<Path> dataset(String name) {
        Path file = datasets.resolve(Names.file("data set name", name));
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** An uploaded (completed) file, or empty. */
    Optional<Path> result(String fileName) {
        Path file = results.resolve(Names.file("fileName", fileName));
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    void bindJob(String jobId, String dataset) throws IOException {
        String id = Names.jobId(jobId);
        if (dataset(dataset).isEmpty()) {
            throw DevStorageException.notFound(
                    "no data set '" + dataset + "'; PUT it to /api/v1/dev/dataset/" + dataset);
        }
        AtomicFiles.writeAtomically(
                jobs.resolve(id + ".json"), JSON.writeValueAsBytes(Map.of("dataset", dataset)));
    }

    Optional<String> boundDataset(String jobId) throws IOException {
        Path file = jobs.resolve(Names.jobId(jobId) + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode node = JSON.readTree(file.toFile()).get("dataset");
        return node == null ? Optional.empty() : Optional.of(node.asText());
    }

    static MessageDigest sha256() {
        return digest("SHA-256");
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }
}
