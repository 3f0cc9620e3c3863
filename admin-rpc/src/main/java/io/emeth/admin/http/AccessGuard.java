package io.emeth.admin.http;

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
 * with 401, before anything executes, a client that the endpoint's whitelist does not allow. The
 * worker endpoint ({@code node-info}) is guarded by {@code worker_whitelist}, {@code /health} by
 * nothing (it tells only up or down), everything else by {@code jsonrpc_whitelist}.
 */
final class AccessGuard {
    private static final Logger log = LoggerFactory.getLogger(AccessGuard.class);

    /** Request attribute holding the resolved client address. */
    static final String CLIENT = "emeth.client";

    private final Whitelist rpcWhitelist;
    private final Whitelist workerWhitelist;
    private final ClientAddresses clients;
    private final MeterRegistry meters;

    AccessGuard(
            Whitelist rpcWhitelist,
            Whitelist workerWhitelist,
            ClientAddresses clients,
            MeterRegistry meters) {
        this.rpcWhitelist = rpcWhitelist;
        this.workerWhitelist = workerWhitelist;
        this.clients = clients;
        this.meters = meters;
    }

    void check(Context ctx) {
        String path = ctx.path();
        if (AdminRoutes.HEALTH.equals(path)) {
            return;
        }
        Whitelist whitelist = AdminRoutes.NODE_INFO.equals(path) ? workerWhitelist : rpcWhitelist;
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
