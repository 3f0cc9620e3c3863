package io.emeth.registry;

import io.javalin.Javalin;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small schema registry serving the Confluent REST API subset the project uses, with its schemas
 * stored durably in a compacted Kafka topic ({@code _schemas}) the way Confluent's registry stores
 * them, so ids survive restarts and are never reused. {@code emeth dev} and the ITs run it in
 * process; production may use Confluent, Apicurio (ccompat) or Karapace instead.
 */
public final class SchemaRegistryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);

    /**
     * @param topic the compacted topic holding the schemas ({@value #DEFAULT_TOPIC} by default)
     * @param maxRequestBytes largest request body accepted; larger ones get HTTP 413
     * @param timeout how long a Kafka step (start-up, a write) may take
     */
    public record Settings(
            String bootstrapServers,
            String host,
            int port,
            String topic,
            long maxRequestBytes,
            Duration timeout) {
        public Settings {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(topic, "topic");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("registry port " + port + " is not in 0..65535");
            }
        }

        /** Loopback, any free port, topic {@value #DEFAULT_TOPIC}, 1 MiB bodies, 30 s timeout. */
        public static Settings defaults(String bootstrapServers) {
            return new Settings(
                    bootstrapServers,
                    "127.0.0.1",
                    0,
                    DEFAULT_TOPIC,
                    1 << 20,
                    Duration.ofSeconds(30));
        }

        public Settings withHost(String value) {
            return new Settings(bootstrapServers, value, port, topic, maxRequestBytes, timeout);
        }

        public Settings withPort(int value) {
            return new Settings(bootstrapServers, host, value, topic, maxRequestBytes, timeout);
        }

        public Settings withTopic(String value) {
            return new Settings(bootstrapServers, host, port, value, maxRequestBytes, timeout);
        }

        public Settings withMaxRequestBytes(long value) {
            return new Settings(bootstrapServers, host, port, topic, value, timeout);
        }
    }

    public static final String DEFAULT_TOPIC = "_schemas";

    private final Javalin app;
    private final DurableRegistry registry;
    private final String url;

    private SchemaRegistryServer(Javalin app, DurableRegistry registry, String url) {
        this.app = app;
        this.registry = registry;
        this.url = url;
    }

    /**
     * Loads the schemas from {@code _schemas} on the broker (creating the topic if absent) and
     * serves them on {@code host:port} ({@code port} 0: any free port).
     *
     * @throws IllegalStateException naming the broker or the address when either is unusable
     */
    public static SchemaRegistryServer start(String bootstrapServers, String host, int port) {
        return start(Settings.defaults(bootstrapServers).withHost(host).withPort(port));
    }

    public static SchemaRegistryServer start(Settings settings) {
        DurableRegistry registry =
                new DurableRegistry(
                        settings.bootstrapServers(), settings.topic(), settings.timeout());
        Javalin app =
                Javalin.create(
                        config -> {
                            config.startup.showJavalinBanner = false;
                            config.startup.showOldJavalinVersionWarning = false;
                            config.http.maxRequestSize = settings.maxRequestBytes();
                            new RegistryRoutes(registry).install(config.routes);
                        });
        try {
            app.start(settings.host(), settings.port());
        } catch (RuntimeException e) {
            registry.close();
            throw new IllegalStateException(
                    "could not serve the schema registry on "
                            + settings.host()
                            + ":"
                            + settings.port()
                            + " (is the port in use? choose another or stop what holds it): "
                            + e.getMessage(),
                    e);
        }
        String url = "http://" + urlHost(settings.host()) + ":" + app.port();
        log.info(
                "Schema registry serving [url:{}, topic:{}, kafka:{}]",
                url,
                settings.topic(),
                settings.bootstrapServers());
        return new SchemaRegistryServer(app, registry, url);
    }

    /** Where clients reach it, e.g. {@code http://127.0.0.1:8081}. */
    public String url() {
        return url;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            registry.close();
            log.info("Schema registry stopped [url:{}]", url);
        }
    }

    private static String urlHost(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            if (address.isAnyLocalAddress()) {
                return "127.0.0.1";
            }
        } catch (UnknownHostException e) {
            return host;
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
