package io.emeth.storage.dev;

import io.emeth.common.storage.StorageApi;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dev server implementing the Emeth storage API (see {@link StorageApi}) on local disk, for
 * {@code emeth dev} and the ITs; the node's {@code StorageClient} talks to it exactly as to the
 * real service.
 *
 * <p>Under {@code root}: data sets in {@code dataset/}, completed uploads in {@code result/},
 * multipart uploads in progress in {@code uploads/}, and the secret that signs its URLs. Requests
 * are checked like the real service checks them: a bad signature, one by another key than {@code
 * address}, or a {@code signedtime} outside ±60 s answers 401 with {@code {"error", "reason"}}.
 * Download and part URLs are presigned with an HMAC over method, path and expiry, so they stay
 * valid across a restart on the same root.
 *
 * <p><b>Dev-only endpoints</b>, not part of the real service, let the demo's requester and the
 * tests seed data: {@code PUT /api/v1/dev/dataset/{name}[?jobId=0x…]} stores a data set (and binds
 * it to a job), {@code PUT /api/v1/dev/jobs/{jobId}/dataset {"dataset": name}} binds one. The real
 * service knows a job's data set from the chain; here a binding, or {@link Options#jobDatasets()},
 * tells it.
 */
public final class StorageDevServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StorageDevServer.class);

    /** Where the dev server learns a job's data set besides its own bindings (e.g. the chain). */
    @FunctionalInterface
    public interface JobDatasets {
        Optional<String> datasetOf(String jobId) throws IOException;
    }

    /**
     * Limits and hooks.
     *
     * @param maxClockSkew how far {@code signedtime} may be from the server's clock (60 s as the
     *     original)
     * @param urlTtl how long a presigned URL stays valid
     * @param maxPartBytes largest accepted part
     * @param maxDatasetBytes largest data set accepted by the dev endpoint
     * @param maxJsonBytes largest JSON request body
     * @param clock the server's clock
     * @param jobDatasets consulted before the bindings made through the dev endpoint
     */
    public record Options(
            Duration maxClockSkew,
            Duration urlTtl,
            long maxPartBytes,
            long maxDatasetBytes,
            int maxJsonBytes,
            Clock clock,
            JobDatasets jobDatasets) {
        public Options {
            Objects.requireNonNull(maxClockSkew, "maxClockSkew");
            Objects.requireNonNull(urlTtl, "urlTtl");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(jobDatasets, "jobDatasets");
        }

        public static Options defaults() {
            return new Options(
                    Duration.ofSeconds(60),
                    Duration.ofHours(1),
                    128L << 20,
                    2L << 30,
                    1 << 20,
                    Clock.systemUTC(),
                    jobId -> Optional.empty());
        }

        public Options withMaxClockSkew(Duration skew) {
            return new Options(
                    skew, urlTtl, maxPartBytes, maxDatasetBytes, maxJsonBytes, clock, jobDatasets);
        }

        public Options withUrlTtl(Duration ttl) {
            return new Options(
                    maxClockSkew,
                    ttl,
                    maxPartBytes,
                    maxDatasetBytes,
                    maxJsonBytes,
                    clock,
                    jobDatasets);
        }

        public Options withMaxPartBytes(long bytes) {
            return new Options(
                    maxClockSkew, urlTtl, bytes, maxDatasetBytes, maxJsonBytes, clock, jobDatasets);
        }

        public Options withMaxDatasetBytes(long bytes) {
            return new Options(
                    maxClockSkew, urlTtl, maxPartBytes, bytes, maxJsonBytes, clock, jobDatasets);
        }

        public Options withClock(Clock c) {
            return new Options(
                    maxClockSkew,
                    urlTtl,
                    maxPartBytes,
                    maxDatasetBytes,
                    maxJsonBytes,
                    c,
                    jobDatasets);
        }

        public Options withJobDatasets(JobDatasets hook) {
            return new Options(
                    maxClockSkew, urlTtl, maxPartBytes, maxDatasetBytes, maxJsonBytes, clock, hook);
        }
    }

    private final Javalin app;
    private final String host;
    private final Path root;

    private StorageDevServer(Javalin app, String host, Path root) {
        this.app = app;
        this.host = host;
        this.root = root;
    }

    /** Starts on {@code host:port} ({@code port} 0 picks a free one) with default options. */
    public static StorageDevServer start(Path root, String host, int port) throws IOException {
        return start(root, host, port, Options.defaults());
    }

    public static StorageDevServer start(Path root, String host, int port, Options options)
            throws IOException {
        Files.createDirectories(root);
        DevStore store = DevStore.open(root);
        MultipartUploads uploads =
                new MultipartUploads(
                        store.root().resolve("uploads"), store.resultsDir(), options.clock());
        DevStorageService service =
                new DevStorageService(store, uploads, UrlSigner.open(store.root()), options);
        Javalin app =
                Javalin.create(
                        config -> {
                            config.startup.showJavalinBanner = false;
                            config.http.compressionStrategy = CompressionStrategy.NONE;
                            StorageRoutes.register(config.routes, service, options);
                        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            throw new IOException(
                    "cannot start the storage dev server on "
                            + host
                            + ":"
                            + port
                            + ": "
                            + e.getMessage()
                            + (port != 0
                                    ? "; is the port in use? stop what holds it or choose another"
                                    : ""),
                    e);
        }
        StorageDevServer server = new StorageDevServer(app, host, store.root());
        log.info("Storage dev server started [url:{}, root:{}]", server.url(), server.root);
        return server;
    }

    /** The base URL to configure as {@code storageApi}. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            h = "127.0.0.1";
        }
        return "http://" + h + ":" + port();
    }

    public int port() {
        return app.port();
    }

    /** The storage root (absolute). */
    public Path root() {
        return root;
    }

    @Override
    public void close() {
        app.stop();
        log.info("Storage dev server stopped [root:{}]", root);
    }
}
