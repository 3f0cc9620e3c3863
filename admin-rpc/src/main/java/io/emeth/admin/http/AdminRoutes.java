package io.emeth.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.read.ViewJson;
import io.emeth.admin.rpc.JsonRpcService;
import io.emeth.admin.rpc.RpcCaller;
import io.emeth.admin.rpc.RpcException;
import io.emeth.common.http.RequestBodies;
import io.emeth.contracts.JobIds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin adapter of admin-rpc: every route parses its request, calls the service behind it and
 * writes the answer; no rule lives here. Routes: {@code POST /api/json-rpc} (JSON-RPC 2.0), the
 * read API the job board polls ({@code /api/v1/jobs}, {@code /api/v1/jobs/{jobId}}, {@code
 * /api/v1/workers}, {@code /api/v1/joblist}), {@code GET /api/v1/node-info} for workers, the board
 * page at {@code /board}, {@code /metrics} (Prometheus) and {@code /health}.
 */
final class AdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);

    static final String JSON_RPC = "/api/json-rpc";
    static final String NODE_INFO = "/api/v1/node-info";
    static final String HEALTH = "/health";
    static final String METRICS = "/metrics";
    static final String BOARD = "/board";
    private static final String BOARD_RESOURCES = "/io/emeth/admin/board/";
    private static final long DRAIN_LIMIT = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminHttpServer.Settings settings;
    private final JsonRpcService rpc;
    private final ReadModel read;
    private final PrometheusMeterRegistry meters;
    private final Map<String, String> lastHealth = new ConcurrentHashMap<>();

    AdminRoutes(
            AdminHttpServer.Settings settings,
            JsonRpcService rpc,
            ReadModel read,
            PrometheusMeterRegistry meters) {
        this.settings = settings;
        this.rpc = rpc;
        this.read = read;
        this.meters = meters;
    }

    void register(RoutesConfig r, AccessGuard guard) {
        r.before(guard::check);
        r.post(JSON_RPC, this::jsonRpc);
        r.get("/api/v1/jobs", ctx -> json(ctx, ViewJson.jobs(read.boardJobs())));
        r.get("/api/v1/jobs/{jobId}", this::job);
        r.get("/api/v1/workers", ctx -> json(ctx, ViewJson.workers(read.workers())));
        r.get("/api/v1/joblist", ctx -> json(ctx, ViewJson.jobList(read.jobList())));
        r.get(NODE_INFO, ctx -> json(ctx, settings.nodeInfo()));
        r.get(HEALTH, this::health);
        r.get(
                METRICS,
                ctx ->
                        ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                                .result(meters.scrape()));
        // Javalin ignores trailing slashes, so /board and /board/ are this one route
        r.get("/", ctx -> ctx.redirect(BOARD, HttpStatus.FOUND));
        r.get(BOARD, ctx -> resource(ctx, "index.html", "text/html; charset=utf-8"));
        r.get(
                "/board/board.js",
                ctx -> resource(ctx, "board.js", "text/javascript; charset=utf-8"));
        r.get("/board/board.css", ctx -> resource(ctx, "board.css", "text/css; charset=utf-8"));
        r.after(ctx -> count(meters, ctx));
        errors(r);
    }

    private void jsonRpc(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        int max = settings.maxBodyBytes();
        if (declared > max) {
            answer(ctx, rpc.refuse(413, tooLarge(declared, max)));
            drainOrClose(ctx);
            return;
        }
        if (!isJson(ctx.contentType())) {
            drainOrClose(ctx);
            answer(
                    ctx,
                    rpc.refuse(
                            415,
                            "Invalid Request: Content-Type must be application/json, got "
                                    + (ctx.contentType() == null
                                            ? "none"
                                            : abbreviate(ctx.contentType()))));
            return;
        }
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(max + 1);
        }
        if (body.length > max) {
            drainOrClose(ctx);
            answer(ctx, rpc.refuse(413, tooLarge(-1, max)));
            return;
        }
        answer(ctx, rpc.handle(body, new RpcCaller(AccessGuard.client(ctx))));
    }

    private void job(Context ctx) throws SQLException {
        String jobId;
        try {
            jobId = JobIds.normalize(ctx.pathParam("jobId"));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "bad_job_id", e.getMessage());
        }
        JsonNode job =
                read.job(jobId)
                        .<JsonNode>map(ViewJson::job)
                        .orElseThrow(
                                () ->
                                        new HttpError(
                                                404, "no_such_job", "job " + jobId + " not found"));
        json(ctx, job);
    }

    /**
     * UP or DOWN per part and overall, nothing more: {@code /health} is open to anyone, so what is
     * wrong (a database URL, an exception's text) goes to the log, once per change.
     */
    private void health(Context ctx) {
        ObjectNode checks = JSON.createObjectNode();
        boolean up = true;
        for (Map.Entry<String, Supplier<String>> check : settings.healthChecks().entrySet()) {
            String state;
            try {
                state = check.getValue().get();
            } catch (RuntimeException e) {
                state = "failing: " + e;
            }
            boolean partUp = "up".equals(state);
            String previous = lastHealth.put(check.getKey(), state);
            if (!state.equals(previous) && (previous != null || !partUp)) {
                if (partUp) {
                    log.info("Health check passes again [part:{}]", check.getKey());
                } else {
                    log.warn("Health check fails [part:{}]: {}", check.getKey(), state);
                }
            }
            up &= partUp;
            checks.put(check.getKey(), partUp ? "UP" : "DOWN");
        }
        ObjectNode body = JSON.createObjectNode().put("status", up ? "UP" : "DOWN");
        body.set("checks", checks);
        ctx.status(up ? 200 : 503);
        json(ctx, body);
    }

    private void errors(RoutesConfig r) {
        r.exception(
                HttpError.class,
                (e, ctx) -> {
                    drainOrClose(ctx);
                    error(ctx, e.status(), e.reason(), e.getMessage());
                });
        r.exception(
                SQLException.class,
                (e, ctx) -> {
                    log.warn("Read API query failed [path:{}]: {}", ctx.path(), e.toString());
                    error(
                            ctx,
                            503,
                            "database_unavailable",
                            "the node's database did not answer; try again shortly");
                });
        r.exception(
                Exception.class,
                (e, ctx) -> {
                    String errorId = UUID.randomUUID().toString().substring(0, 8);
                    log.error(
                            "admin-rpc request failed [method:{}, path:{}, errorId:{}]",
                            ctx.method(),
                            abbreviate(ctx.path()),
                            errorId,
                            e);
                    error(ctx, 500, "internal_error", "internal error; errorId " + errorId);
                });
        r.error(
                404,
                ctx -> {
                    if (ctx.result() == null) {
                        error(
                                ctx,
                                404,
                                "no_route",
                                "no endpoint " + ctx.method() + " " + abbreviate(ctx.path()));
                    }
                });
    }

    private static void answer(Context ctx, JsonRpcService.Reply reply) {
        ctx.status(reply.httpStatus());
        if (reply.hasBody()) {
            ctx.contentType("application/json").result(reply.body());
        }
    }

    private static void json(Context ctx, JsonNode body) {
        try {
            ctx.contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /**
     * A refusal: {@code {"error", "reason"}}, or on the JSON-RPC path a JSON-RPC error object (a
     * refused caller gets {@link RpcException#REFUSED}, anything else {@code -32600} or {@code
     * -32603}) so that a JSON-RPC client can read every answer of that endpoint.
     */
    private void error(Context ctx, int status, String reason, String message) {
        if (JSON_RPC.equals(ctx.path())) {
            int code =
                    switch (reason) {
                        case "not_whitelisted", "cross_origin" -> RpcException.REFUSED;
                        case "internal_error", "database_unavailable" ->
                                RpcException.INTERNAL_ERROR;
                        default -> RpcException.INVALID_REQUEST;
                    };
            answer(ctx, rpc.refuse(status, code, message, reason));
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("error", message).put("reason", reason);
        ctx.status(status);
        json(ctx, body);
    }

    private void resource(Context ctx, String name, String contentType) throws IOException {
        try (InputStream in = AdminRoutes.class.getResourceAsStream(BOARD_RESOURCES + name)) {
            if (in == null) {
                throw new HttpError(
                        404, "no_route", "the board file " + name + " is missing from the jar");
            }
            ctx.header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Cache-Control", "no-cache")
                    .contentType(contentType)
                    .result(in.readAllBytes());
        }
    }

    /** Drains a refused request's body (see {@link RequestBodies#drain}), else closes after. */
    private static void drainOrClose(Context ctx) {
        if (!RequestBodies.drain(() -> ctx.req().getInputStream(), DRAIN_LIMIT)) {
            ctx.header("Connection", "close");
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.equals("application/json-rpc");
    }

    private static String tooLarge(long declared, int max) {
        return "Invalid Request: the body"
                + (declared >= 0 ? " of " + declared + " bytes" : "")
                + " is over the limit of "
                + max
                + " bytes";
    }

    private static void count(MeterRegistry meters, Context ctx) {
        meters.counter(
                        "emeth_http_requests",
                        "route",
                        routeOf(ctx.path()),
                        "status",
                        Integer.toString(ctx.status().getCode()))
                .increment();
    }

    /** A bounded route label, so that hostile paths cannot grow the metrics. */
    private static String routeOf(String path) {
        if (path.startsWith("/api/v1/jobs/")) {
            return "/api/v1/jobs/{jobId}";
        }
        return switch (path) {
            case JSON_RPC,
                    NODE_INFO,
                    HEALTH,
                    METRICS,
                    "/api/v1/jobs",
                    "/api/v1/workers",
                    "/api/v1/joblist",
                    "/",
                    BOARD,
                    "/board/board.js",
                    "/board/board.css" ->
                    path;
            default -> "other";
        };
    }

    private static String abbreviate(String value) {
        return value.length() <= 100 ? value : value.substring(0, 97) + "...";
    }
}
