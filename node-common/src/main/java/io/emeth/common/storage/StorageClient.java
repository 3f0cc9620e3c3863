package io.emeth.common.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Emeth storage API (see {@link StorageApi} for the wire contract): signed download
 * URLs, streamed downloads, multipart uploads and data set sizes, each request signed by the node's
 * key over {@code keccak256(abi.encodePacked(jobId, signedtime))} with no EIP-191 prefix, as the
 * service expects.
 *
 * <p>It is the same client against the real service and the dev server. Every call has timeouts and
 * bounded retries with backoff on 5xx and I/O errors; a failure is a {@link StorageException}
 * naming the endpoint, status and job. Thread-safe; share one per node.
 */
public final class StorageClient {
    private static final Logger log = LoggerFactory.getLogger(StorageClient.class);

    private final NodeIdentity identity;
    private final StorageHttp http;
    private final MultipartUploader uploader;
    private final Clock clock;

    private StorageClient(Builder b) {
        this.identity = b.identity;
        this.clock = b.clock;
        HttpClient client =
                b.httpClient != null
                        ? b.httpClient
                        : HttpClient.newBuilder()
                                .connectTimeout(b.connectTimeout)
                                .followRedirects(HttpClient.Redirect.NORMAL)
                                .build();
        Retrier retrier = new Retrier(b.maxAttempts, b.initialBackoff, b.maxBackoff);
        this.http = new StorageHttp(client, b.base, b.requestTimeout, b.transferTimeout, retrier);
        this.uploader = new MultipartUploader(http, this::signed, identity.address(), b.partSize);
    }

    /** A builder for a client of the service at {@code storageApi} signing as {@code identity}. */
    public static Builder builder(URI storageApi, NodeIdentity identity) {
        return new Builder(storageApi, identity);
    }

    /** The signing node's checksummed address. */
    public String address() {
        return identity.address();
    }

    /** The service's base URI. */
    public URI storageApi() {
        return http.base();
    }

    /** A URL to GET the data set of {@code jobId}. */
    public URI signedGetUrl(String jobId) throws IOException {
        return signedGetUrl(jobId, null);
    }

    /**
     * A URL to GET the file {@code fileName} that an {@link #upload} for {@code jobId} answered, or
     * the job's data set when {@code fileName} is null (our {@code fileName} extension to {@code
     * signed-get-url}, see {@link StorageApi}).
     */
    public URI signedGetUrl(String jobId, String fileName) throws IOException {
        requireName("jobId", jobId);
        if (fileName != null) {
            requireName("fileName", fileName);
        }
        JsonNode answer =
                http.postJson(
                        StorageApi.SIGNED_GET_URL,
                        jobId,
                        () -> {
                            ObjectNode body = signed(jobId);
                            if (fileName != null) {
                                body.put(StorageApi.FILE_NAME, fileName);
                            }
                            return body;
                        });
        return MultipartUploader.urlField(
                answer, StorageApi.URL, http.base(), "POST " + StorageApi.SIGNED_GET_URL, jobId);
    }

    /** Downloads the data set of {@code jobId} to {@code target}; answers its size in bytes. */
    public long download(String jobId, Path target) throws IOException {
        return download(jobId, null, target);
    }

    /**
     * Downloads the uploaded file {@code fileName} of {@code jobId} (or the job's data set when
     * null) to {@code target}, through a temporary file moved into place when complete; answers its
     * size in bytes.
     */
    public long download(String jobId, String fileName, Path target) throws IOException {
        Objects.requireNonNull(target, "target");
        URI url = signedGetUrl(jobId, fileName);
        long bytes = http.download(url, target, jobId);
        log.info(
                "Downloaded [jobId:{}, fileName:{}, bytes:{}, target:{}]",
                jobId,
                fileName == null ? "(data set)" : fileName,
                bytes,
                target);
        return bytes;
    }

    /**
     * Uploads {@code file} for {@code jobId} as a multipart upload and answers the {@code fileName}
     * the service gave it (what goes on chain as the result).
     *
     * @param extension the file's extension, such as {@code .zip} (a leading dot is added when
     *     missing; empty for none)
     */
    public String upload(String jobId, Path file, String extension) throws IOException {
        requireName("jobId", jobId);
        return uploader.upload(jobId, file, extension);
    }

    /** The size in bytes of data set {@code dataset}. */
    public long sizeOf(String dataset) throws IOException {
        requireName("dataset", dataset);
        String key = StorageApi.DATASET_KEY_PREFIX + dataset;
        JsonNode answer =
                http.getJson(
                        StorageApi.SIZE_OF,
                        "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8),
                        null);
        JsonNode result = answer.get(StorageApi.RESULT);
        long size = -1;
        if (result != null && result.canConvertToLong()) {
            size = result.asLong();
        } else if (result != null && result.isTextual() && result.asText().matches("\\d{1,18}")) {
            size = Long.parseLong(result.asText());
        }
        if (size < 0) {
            throw new StorageException(
                    "GET " + StorageApi.SIZE_OF,
                    200,
                    null,
                    "answer for key " + key + " has no byte count in 'result': " + answer,
                    false,
                    null);
        }
        return size;
    }

    /** {@code {sig, address, jobId, signedtime}} signed now. */
    private ObjectNode signed(String jobId) {
        long now = clock.millis();
        ObjectNode body = StorageHttp.JSON.createObjectNode();
        body.put(StorageApi.SIG, Signatures.signStorageRequest(identity, jobId, now));
        body.put(StorageApi.ADDRESS, identity.address());
        body.put(StorageApi.JOB_ID, jobId);
        body.put(StorageApi.SIGNED_TIME, now);
        return body;
    }

    static void requireName(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (value.length() > 256 || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    what + " must be at most 256 printable characters: '" + printable(value) + "'");
        }
    }

    private static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        value.codePoints()
                .limit(80)
                .forEach(
                        c ->
                                sb.append(
                                        Character.isISOControl(c)
                                                ? String.format("\\u%04x", c)
                                                : Character.toString(c)));
        return value.length() > 80 ? sb + "..." : sb.toString();
    }

    /** Options of a {@link StorageClient}; every one has a production default. */
    public static final class Builder {
        private final URI base;
        private final NodeIdentity identity;
        private long partSize = StorageApi.DEFAULT_PART_SIZE;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration transferTimeout = Duration.ofMinutes(10);
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();
        private HttpClient httpClient;

        private Builder(URI storageApi, NodeIdentity identity) {
            Objects.requireNonNull(storageApi, "storageApi");
            this.identity = Objects.requireNonNull(identity, "identity");
            String scheme = storageApi.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)
                    || storageApi.getHost() == null) {
                throw new IllegalArgumentException(
                        "storageApi must be an http(s) URL with a host: '" + storageApi + "'");
            }
            // paths are appended, as the original did with `${storageApi}/api/v1/...`
            this.base = URI.create(storageApi.toString().replaceAll("/+$", ""));
        }

        /** Bytes per uploaded part; 10,000,000 like the original node (small values for tests). */
        public Builder partSize(long bytes) {
            if (bytes < 1 || bytes > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("partSize must be 1..2^31-65 bytes: " + bytes);
            }
            this.partSize = bytes;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** Time allowed for a JSON call's answer. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** Time allowed until a part PUT or a download GET starts answering. */
        public Builder transferTimeout(Duration timeout) {
            this.transferTimeout = positive("transferTimeout", timeout);
            return this;
        }

        /** Attempts per call, the first included (1 = no retry). */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be 1..100: " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive("initial backoff", initial);
            this.maxBackoff = positive("max backoff", max);
            return this;
        }

        /** The clock for {@code signedtime} (tests sign in the past to provoke expiry). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        public StorageClient build() {
            return new StorageClient(this);
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
