package io.emeth.admin.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.admin.access.BrowserGuard;
import io.emeth.admin.access.ClientAddresses;
import io.emeth.admin.access.Whitelist;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.rpc.JsonRpcService;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of admin-rpc on Javalin: JSON-RPC, the read API, the job board, node info for
 * workers, metrics and health (see {@link AdminRoutes}), every path but {@code /health} behind its
 * whitelist ({@link AccessGuard}).
 */
public final class AdminHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminHttpServer.class);

    /** Largest JSON-RPC body accepted by default (1 MiB). */
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    /**
     * Where to listen and whom to let in.
     *
     * @param host the address to bind, or null for every interface (IPv4 and IPv6)
     * @param port the port, 0 for a free one
     * @param rpcWhitelist guards JSON-RPC
     * @param readWhitelist guards the read API, the board and the metrics
     * @param workerWhitelist guards {@code /api/v1/node-info}
     * @param browsers refuses JSON-RPC calls that a web page could have sent
     * @param clients how the client address is found (trusted proxies)
     * @param maxBodyBytes largest JSON-RPC body; larger ones get a −32600 error with HTTP 413
     * @param nodeInfo what {@code GET /api/v1/node-info} answers (pool, Kafka, registry)
     * @param healthChecks named checks answering {@code "up"} or what is wrong (logged, never
     *     served: {@code /health} answers only UP or DOWN per check)
     */
    public record Settings(
            String host,
            int port,
            Whitelist rpcWhitelist,
            Whitelist readWhitelist,
            Whitelist workerWhitelist,
            BrowserGuard browsers,
            ClientAddresses clients,
            int maxBodyBytes,
            ObjectNode nodeInfo,
            Map<String, Supplier<String>> healthChecks) {
        public Settings {
            Objects.requireNonNull(rpcWhitelist, "rpcWhitelist");
            Objects.requireNonNull(readWhitelist, "readWhitelist");
            Objects.requireNonNull(workerWhitelist, "workerWhitelist");
            Objects.requireNonNull(browsers, "browsers");
            Objects.requireNonNull(clients, "clients");
            Objects.requireNonNull(nodeInfo, "nodeInfo");
            healthChecks = Map.copyOf(healthChecks);
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException(
                        "maxBodyBytes must be positive: " + maxBodyBytes);
            }
        }
    }

    private final Javalin app;

    private AdminHttpServer(Javalin app) {
        this.app = app;
    }

    /** Starts the server; fails naming the address when the port is taken. */
    public static AdminHttpServer start(
            Settings settings, JsonRpcService rpc, ReadModel read, PrometheusMeterRegistry meters)
            throws IOException {
        AccessGuard guard = new AccessGuard(settings, meters);
        AccessGuard.warnIfClosed(
                List.of(
                        settings.rpcWhitelist(),
                        settings.readWhitelist(),
                        settings.workerWhitelist()));
        AdminRoutes routes = new AdminRoutes(settings, rpc, read, meters);
        Javalin app =
                Javalin.create(
                        config -> {
                            config.startup.showJavalinBanner = false;
                            config.http.compressionStrategy = CompressionStrategy.NONE;
                            config.http.maxRequestSize = settings.maxBodyBytes();
                            routes.register(config.routes, guard);
                        });
        try {
            if (settings.host() == null) {
                app.start(settings.port());
            } else {
                app.start(settings.host(), settings.port());
            }
        } catch (RuntimeException e) {
            throw new IOException(
                    "cannot listen on "
                            + (settings.host() == null ? "*" : settings.host())
                            + ":"
                            + settings.port()
                            + " (my_url): "
                            + e.getMessage()
                            + "; is another process using the port?",
                    e);
        }
        log.info(
                "admin-rpc listening [port:{}, jsonrpc_whitelist:{}, read_whitelist:{},"
                        + " worker_whitelist:{}, host names:{}]",
                app.port(),
                settings.rpcWhitelist().entries(),
                settings.readWhitelist().entries(),
                settings.workerWhitelist().entries(),
                settings.browsers().hostNames());
        return new AdminHttpServer(app);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
