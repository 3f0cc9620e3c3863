package io.emeth.common.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The HTTP mechanics under {@link StorageClient}: JSON calls, part PUTs and streamed downloads,
 * each retried by a {@link Retrier}, with failures turned into a {@link StorageException} that
 * names the endpoint, the status and the job.
 */
final class StorageHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_JSON_RESPONSE = 1 << 20;
    private static final int MAX_ERROR_DETAIL = 300;

    private final HttpClient http;
    private final URI base;
    private final Duration requestTimeout;
    private final Duration transferTimeout;
    private final Retrier retrier;

    StorageHttp(
            HttpClient http,
            URI base,
            Duration requestTimeout,
            Duration transferTimeout,
            Retrier retrier) {
        this.http = http;
        this.base = base;
        this.requestTimeout = requestTimeout;
        this.transferTimeout = transferTimeout;
        this.retrier = retrier;
    }

    URI base() {
        return base;
    }

    /** POSTs the body the supplier builds afresh for each attempt (so signatures stay fresh). */
    JsonNode postJson(String path, String jobId, Supplier<ObjectNode> body) throws IOException {
        String endpoint = "POST " + path;
        return retrier.call(
                endpoint,
                jobId,
                attempt -> {
                    byte[] json = JSON.writeValueAsBytes(body.get());
                    HttpRequest request =
                            HttpRequest.newBuilder(URI.create(base + path))
                                    .timeout(requestTimeout)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                                    .build();
                    return readJson(endpoint, jobId, send(endpoint, jobId, request));
                });
    }

    JsonNode getJson(String path, String query, String jobId) throws IOException {
        String endpoint = "GET " + path;
        URI uri = URI.create(base + path + "?" + query);
        return retrier.call(
                endpoint,
                jobId,
                attempt -> {
                    HttpRequest request =
                            HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build();
                    return readJson(endpoint, jobId, send(endpoint, jobId, request));
                });
    }

    /** PUTs one part and answers its {@code ETag} header, verbatim (quotes included, as S3). */
    String putPart(URI url, byte[] bytes, String jobId, int partNumber) throws IOException {
        String endpoint = "PUT part " + partNumber + " " + url.getPath();
        return retrier.call(
                endpoint,
                jobId,
                attempt -> {
                    HttpRequest request =
                            HttpRequest.newBuilder(url)
                                    .timeout(transferTimeout)
                                    .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                                    .build();
                    HttpResponse<InputStream> response = send(endpoint, jobId, request);
                    try (InputStream body = response.body()) {
                        if (response.statusCode() / 100 != 2) {
                            throw httpError(endpoint, jobId, response.statusCode(), body);
                        }
                        body.transferTo(OutputStream.nullOutputStream());
                    }
                    return response.headers()
                            .firstValue("ETag")
                            .orElseThrow(
                                    () ->
                                            new StorageException(
                                                    endpoint,
                                                    response.statusCode(),
                                                    jobId,
                                                    "the response has no ETag header",
                                                    false,
                                                    null));
                });
    }

    /**
     * Streams {@code url} into a temporary file beside {@code target}, then moves it into place, so
     * a reader never sees half a file. Answers the number of bytes.
     */
    long download(URI url, Path target, String jobId) throws IOException {
        String endpoint = "GET " + url.getPath();
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return retrier.call(
                endpoint,
                jobId,
                attempt -> {
                    HttpRequest request =
                            HttpRequest.newBuilder(url).timeout(transferTimeout).GET().build();
                    HttpResponse<InputStream> response = send(endpoint, jobId, request);
                    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
                    try (InputStream body = response.body()) {
                        if (response.statusCode() != 200) {
                            throw httpError(endpoint, jobId, response.statusCode(), body);
                        }
                        long bytes = Files.copy(body, tmp, StandardCopyOption.REPLACE_EXISTING);
                        long expected =
                                response.headers().firstValueAsLong("Content-Length").orElse(bytes);
                        if (bytes != expected) {
                            throw new IOException(
                                    "download ended after " + bytes + " of " + expected + " bytes");
                        }
                        moveIntoPlace(tmp, target);
                        return bytes;
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                });
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
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

    private HttpResponse<InputStream> send(String endpoint, String jobId, HttpRequest request)
            throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io =
                    new InterruptedIOException(endpoint + " [jobId:" + jobId + "]: interrupted");
            io.initCause(e);
            throw io;
        }
    }

    private static JsonNode readJson(
            String endpoint, String jobId, HttpResponse<InputStream> response) throws IOException {
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw httpError(endpoint, jobId, response.statusCode(), body);
            }
            byte[] bytes = body.readNBytes(MAX_JSON_RESPONSE + 1);
            if (bytes.length > MAX_JSON_RESPONSE) {
                throw new StorageException(
                        endpoint,
                        response.statusCode(),
                        jobId,
                        "response larger than " + MAX_JSON_RESPONSE + " bytes",
                        false,
                        null);
            }
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new StorageException(
                        endpoint,
                        response.statusCode(),
                        jobId,
                        "response is not JSON: " + snippet(bytes),
                        false,
                        e);
            }
        }
    }

    static StorageException httpError(String endpoint, String jobId, int status, InputStream body)
            throws IOException {
        byte[] bytes = body.readNBytes(4096);
        String detail = snippet(bytes);
        try {
            JsonNode json = JSON.readTree(bytes);
            if (json != null && json.hasNonNull("error")) {
                detail = truncate(json.get("error").asText());
            } else if (json != null && json.hasNonNull("message")) {
                detail = truncate(json.get("message").asText());
            }
        } catch (IOException notJson) {
            // keep the raw snippet
        }
        boolean retryable = status >= 500 || status == 408 || status == 429;
        return new StorageException(
                endpoint, status, jobId, detail.isEmpty() ? "(no body)" : detail, retryable, null);
    }

    private static String snippet(byte[] bytes) {
        return truncate(new String(bytes, StandardCharsets.UTF_8).strip());
    }

    private static String truncate(String text) {
        return text.length() <= MAX_ERROR_DETAIL ? text : text.substring(0, MAX_ERROR_DETAIL) + "…";
    }
}
