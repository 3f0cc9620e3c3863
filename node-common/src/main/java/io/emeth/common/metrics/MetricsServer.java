package io.emeth.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics and health endpoints every emeth process exposes: {@code GET /metrics} in the
 * Prometheus text format and {@code GET /health} as JSON, 200 when every check is up and 503
 * otherwise. Served by the JDK's HTTP server, as Micrometer's Prometheus documentation shows, so
 * that processes without a web framework (indexer, master, worker) need none for two endpoints.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;
    private final PrometheusMeterRegistry registry;
    private final Map<String, Supplier<Boolean>> checks;

    private MetricsServer(
            HttpServer server,
            PrometheusMeterRegistry registry,
            Map<String, Supplier<Boolean>> checks) {
        this.server = server;
        this.registry = registry;
        this.checks = checks;
    }

    /**
     * A registry with the JVM's memory, GC, thread and CPU meters bound, tagged with the process.
     */
    public static PrometheusMeterRegistry newRegistry(String process) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("process", process);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Serves {@code registry} and the named health checks on {@code host:port} (port 0: any free
     * port). A check that throws counts as down.
     */
    public static MetricsServer start(
            String host,
            int port,
            PrometheusMeterRegistry registry,
            Map<String, Supplier<Boolean>> checks) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            MetricsServer metrics =
                    new MetricsServer(server, registry, new LinkedHashMap<>(checks));
            server.createContext("/metrics", metrics::metrics);
            server.createContext("/health", metrics::health);
            server.setExecutor(Executors.newSingleThreadExecutor(r -> daemon(r, "metrics-http")));
            server.start();
            log.info("Metrics and health served [url:{}]", metrics.url());
            return metrics;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not serve metrics on "
                            + host
                            + ":"
                            + port
                            + " (port in use? set another)",
                    e);
        }
    }

    public String url() {
        return "http://"
                + server.getAddress().getHostString()
                + ":"
                + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void metrics(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "text/plain", "only GET\n");
            return;
        }
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    }

    private void health(HttpExchange exchange) throws IOException {
        StringBuilder json = new StringBuilder("{\"checks\":{");
        boolean up = true;
        String separator = "";
        for (Map.Entry<String, Supplier<Boolean>> check : checks.entrySet()) {
            boolean ok = safely(check.getValue());
            up &= ok;
            json.append(separator)
                    .append('"')
                    .append(check.getKey())
                    .append("\":\"")
                    .append(ok ? "UP" : "DOWN")
                    .append('"');
            separator = ",";
        }
        json.append("},\"status\":\"").append(up ? "UP" : "DOWN").append("\"}\n");
        respond(exchange, up ? 200 : 503, "application/json", json.toString());
    }

    private static boolean safely(Supplier<Boolean> check) {
        try {
            return Boolean.TRUE.equals(check.get());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
