package io.emeth.admin.http;

import io.emeth.admin.access.BrowserGuard;
import io.emeth.admin.access.ClientAddresses;
import io.emeth.admin.access.Whitelist;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs before every handler: resolves the client's address ({@link ClientAddresses}) and refuses
 * with 401, before anything executes, a client that the endpoint's whitelist does not allow.
 * JSON-RPC is guarded by {@code jsonrpc_whitelist} alone, and refused with 403 when a browser page
 * could have sent it ({@link BrowserGuard}: a foreign {@code Host}, a cross-site {@code Origin} or
 * {@code Sec-Fetch-Site}); the worker endpoint ({@code node-info}) by {@code worker_whitelist};
 * {@code /health} by nothing (it tells only UP or DOWN); the board, the read API and {@code
 * /metrics} by {@code read_whitelist}, so that whoever may scrape metrics may not call {@code
 * withdraw}.
 */
final class AccessGuard {
    private static final Logger log = LoggerFactory.getLogger(AccessGuard.class);

    /** Request attribute holding the resolved client address. */
    static final String CLIENT = "emeth.client";

    private final Whitelist rpcWhitelist;
    private final Whitelist readWhitelist;
    private final Whitelist workerWhitelist;
    private final BrowserGuard browsers;
    private final ClientAddresses clients;
    private final MeterRegistry meters;

    AccessGuard(AdminHttpServer.Settings settings, MeterRegistry meters) {
        this.rpcWhitelist = settings.rpcWhitelist();
        this.readWhitelist = settings.readWhitelist();
        this.workerWhitelist = settings.workerWhitelist();
        this.browsers = settings.browsers();
        this.clients = settings.clients();
        this.meters = meters;
    }

    void check(Context ctx) {
        String path = ctx.path();
        if (AdminRoutes.HEALTH.equals(path)) {
            return;
        }
        boolean rpc = AdminRoutes.JSON_RPC.equals(path);
        Whitelist whitelist =
                rpc
                        ? rpcWhitelist
                        : AdminRoutes.NODE_INFO.equals(path) ? workerWhitelist : readWhitelist;
        InetAddress client;
        try {
            client =
                    clients.client(
                            ctx.req().getRemoteAddr(),
                            Collections.list(ctx.req().getHeaders(ClientAddresses.FORWARDED_FOR)));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "bad_forwarding", e.getMessage());
        }
        ctx.attribute(CLIENT, client);
        if (!whitelist.allows(client)) {
            meters.counter("emeth_http_refused", "whitelist", whitelist.name()).increment();
            log.warn(
                    "Refused a client not in {} [client:{}, method:{}, path:{}]",
                    whitelist.name(),
                    client.getHostAddress(),
                    ctx.method(),
                    abbreviate(path));
            throw new HttpError(
                    401,
                    "not_whitelisted",
                    client.getHostAddress()
                            + " is not in "
                            + whitelist.name()
                            + "; add it (an address or CIDR range) to the node's config to allow"
                            + " it");
        }
        if (rpc) {
            checkBrowser(ctx, client);
        }
    }

    private void checkBrowser(Context ctx, InetAddress client) {
        var refusal =
                browsers.refusal(
                        ctx.scheme(),
                        ctx.header("Host"),
                        ctx.header("Origin"),
                        ctx.header("Sec-Fetch-Site"));
        if (refusal.isPresent()) {
            meters.counter("emeth_http_refused", "whitelist", "browser_guard").increment();
            log.warn(
                    "Refused a JSON-RPC request a web page could have sent [client:{}, host:{},"
                            + " origin:{}]: {}",
                    client.getHostAddress(),
                    abbreviate(String.valueOf(ctx.header("Host"))),
                    abbreviate(String.valueOf(ctx.header("Origin"))),
                    refusal.get());
            throw new HttpError(403, "cross_origin", refusal.get());
        }
    }

    /** The resolved client of a request that passed the guard. */
    static String client(Context ctx) {
        Object client = ctx.attribute(CLIENT);
        return client instanceof InetAddress a ? a.getHostAddress() : "unknown";
    }

    /** Whitelists with no network entry refuse everyone; say so once at start. */
    static void warnIfClosed(List<Whitelist> whitelists) {
        for (Whitelist whitelist : whitelists) {
            if (!whitelist.grantsNetworkAccess()) {
                log.warn(
                        "{} holds no IP address, range, '*' or 'localhost', so every HTTP client is"
                                + " refused; add the clients' addresses if they should connect",
                        whitelist.name());
            }
        }
    }

    private static String abbreviate(String value) {
        return value.length() <= 100 ? value : value.substring(0, 97) + "...";
    }
}
