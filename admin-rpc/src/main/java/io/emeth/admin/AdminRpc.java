package io.emeth.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.admin.access.BrowserGuard;
import io.emeth.admin.access.ClientAddresses;
import io.emeth.admin.access.Whitelist;
import io.emeth.admin.commands.CommandPublisher;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.http.AdminHttpServer;
import io.emeth.admin.metrics.AdminMetrics;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.rewards.RewardWithdrawal;
import io.emeth.admin.rpc.AdminMethods;
import io.emeth.admin.rpc.JsonRpcService;
import io.emeth.admin.sink.JdbcSink;
import io.emeth.common.config.MasterConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code emeth admin-rpc} process: migrates the database, runs the JDBC sink, and serves
 * JSON-RPC, the read API, the job board, node info for workers, metrics and health on the port of
 * {@code my_url}. The launcher calls {@link #start}, then {@link #awaitStop()}; {@link #close()}
 * stops everything in reverse order.
 */
public final class AdminRpc implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminRpc.class);

    private final List<AutoCloseable> resources;
    private final AdminHttpServer http;
    private final Database database;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean closed =
            new java.util.concurrent.atomic.AtomicBoolean();

    private AdminRpc(List<AutoCloseable> resources, AdminHttpServer http, Database database) {
        this.resources = resources;
        this.http = http;
        this.database = database;
    }

    /**
     * {@code emeth admin-rpc}: starts, stops on SIGTERM/SIGINT (a shutdown hook), and blocks until
     * then.
     */
    public static void run(MasterConfig config, AdminOptions options) throws Exception {
        AdminRpc admin = start(config, options);
        Runtime.getRuntime().addShutdownHook(new Thread(admin::close, "admin-rpc-stop"));
        admin.awaitStop();
    }

    /** Starts every part; on failure stops what already started and throws naming the part. */
    public static AdminRpc start(MasterConfig config, AdminOptions options) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            return start(config, options, started);
        } catch (Exception | Error e) {
            closeAll(started);
            throw e;
        }
    }

    private static AdminRpc start(
            MasterConfig config, AdminOptions options, List<AutoCloseable> started)
            throws Exception {
        PrometheusMeterRegistry meters = AdminMetrics.create();
        started.add(meters::close);
        Database database = Database.forConfig(config);
        started.add(database);
        int version = SinkSchema.migrate(database);
        log.info("Database ready [database:{}, schemaVersion:{}]", database, version);
        // The write side (sink, Kafka producer, chain reader) opens on a thread of its own while
        // this one starts HTTP: a restarted admin-rpc answers reads from the database as soon as
        // it listens; disconnect and withdraw answer "try again" until the write side is ready.
        AtomicReference<JdbcSink> sink = new AtomicReference<>();
        CompletableFuture<CommandPublisher> commands = new CompletableFuture<>();
        CompletableFuture<RewardWithdrawal> withdrawal = new CompletableFuture<>();
        CompletableFuture<List<AutoCloseable>> opening =
                new WriteSide(config, options, database, meters)
                        .openAsync(sink, commands, withdrawal);
        Map<String, Supplier<String>> health = new LinkedHashMap<>();
        health.put("database", () -> database.isReachable() ? "up" : "unreachable: " + database);
        if (options.runSink()) {
            health.put(
                    "sink", () -> sink.get() == null ? "starting" : sink.get().status().describe());
        }
        AdminHttpServer http;
        try {
            ReadModel read = new ReadModel(database);
            JsonRpcService rpc =
                    new JsonRpcService(
                            new AdminMethods(read, commands, withdrawal, config.poolId()).methods(),
                            meters);
            http = AdminHttpServer.start(httpSettings(config, options, health), rpc, read, meters);
        } catch (Exception | Error e) {
            started.addAll(WriteSide.awaitQuietly(opening));
            throw e;
        }
        started.add(http);
        log.info(
                "admin-rpc answering reads, its write side opening [pool:{}, port:{}, board:{}]",
                config.poolId(),
                http.port(),
                config.myUrl().resolve("/board"));
        started.addAll(WriteSide.await(opening));
        log.info(
                "admin-rpc started [pool:{}, port:{}, sink:{}, withdraw:{}]",
                config.poolId(),
                http.port(),
                options.runSink(),
                withdrawal.join() != null);
        return new AdminRpc(new ArrayList<>(started), http, database);
    }

    private static AdminHttpServer.Settings httpSettings(
            MasterConfig config, AdminOptions options, Map<String, Supplier<String>> health) {
        return new AdminHttpServer.Settings(
                options.bindHost(),
                port(config.myUrl()),
                Whitelist.parse("jsonrpc_whitelist", config.jsonrpcWhitelist()),
                Whitelist.parse("read_whitelist", config.readWhitelist()),
                Whitelist.parse("worker_whitelist", config.workerWhitelist()),
                new BrowserGuard(config.myUrl().getHost(), config.allowedHosts()),
                new ClientAddresses(Whitelist.parse("trusted_proxies", options.trustedProxies())),
                options.maxBodyBytes(),
                nodeInfo(config, options),
                health);
    }

    /** What workers learn from {@code GET /api/v1/node-info}; no credentials. */
    static ObjectNode nodeInfo(MasterConfig config, AdminOptions options) {
        return JsonNodeFactory.instance
                .objectNode()
                .put("pool", config.poolId())
                .put("kafkaBootstrapServers", config.kafka().bootstrapServers())
                .put("schemaRegistryUrl", config.kafka().schemaRegistryUrl().toString())
                .put("topicPrefix", options.topicPrefix())
                // workers download data sets and models from the same storage API as the master
                .put("storageApi", config.storageApi().toString());
    }

    static int port(URI myUrl) {
        if (myUrl.getPort() >= 0) {
            return myUrl.getPort();
        }
        return "https".equals(myUrl.getScheme()) ? 443 : 80;
    }

    /** The port the HTTP server listens on. */
    public int port() {
        return http.port();
    }

    public Database database() {
        return database;
    }

    /** Blocks until {@link #close()} is called (e.g. by a shutdown hook). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        closeAll(resources);
        stopped.countDown();
        log.info("admin-rpc stopped");
    }

    private static void closeAll(List<AutoCloseable> resources) {
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Stopping an admin-rpc part failed: {}", e.toString());
            }
        }
    }
}
