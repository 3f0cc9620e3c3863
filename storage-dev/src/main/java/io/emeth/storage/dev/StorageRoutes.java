package io.emeth.storage.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.common.http.RequestBodies;
import io.emeth.common.storage.StorageApi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin adapter of the dev server: parses each request (JSON bodies size-limited), calls
 * {@link DevStorageService}, and answers JSON, a file or an ETag; every refusal becomes {@code
 * {"error", "reason"}} with its status.
 */
final class StorageRoutes {
    private static final Logger log = LoggerFactory.getLogger(StorageRoutes.class);
    private static final Pattern HOST_HEADER = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]]{1,300}");
    private static final String HANDLED = "emeth.handled";
    private static final long DRAIN_LIMIT = 16L << 20;

    private StorageRoutes() {}

    static void register(
            RoutesConfig r, DevStorageService service, StorageDevServer.Options options) {
        apiRoutes(r, service, options);
        presignedRoutes(r, service);
        devRoutes(r, service, options);
        errorHandlers(r);
    }

    /** The storage API proper, as the real service answers it. */
    private static void apiRoutes(
            RoutesConfig r, DevStorageService service, StorageDevServer.Options options) {
        r.post(
                StorageApi.SIGNED_GET_URL,
                ctx -> json(ctx, service.signedGetUrl(body(ctx, options), base(ctx))));
        r.post(
                StorageApi.GET_PUT_SIGNED_URLS,
                ctx -> json(ctx, service.getPutSignedUrls(body(ctx, options), base(ctx))));
        r.post(
                StorageApi.COMPLETE_UPLOAD,
                ctx -> json(ctx, service.completeUpload(body(ctx, options))));
        r.get(StorageApi.SIZE_OF, ctx -> json(ctx, service.sizeOf(ctx.queryParam("key"))));
    }

    /** The URLs the API hands out: downloads and part uploads, checked by their HMAC. */
    private static void presignedRoutes(RoutesConfig r, DevStorageService service) {
        r.get(
                DevStorageService.FILES_PATH + "{kind}/{name}",
                ctx -> {
                    Path file =
                            service.fileForGet(
                                    ctx.pathParam("kind"),
                                    ctx.pathParam("name"),
                                    ctx.queryParam(UrlSigner.EXPIRES),
                                    ctx.queryParam(UrlSigner.SIGNATURE));
                    ctx.attribute(HANDLED, true);
                    ctx.contentType("application/octet-stream");
                    ctx.header("Content-Length", Long.toString(Files.size(file)));
                    ctx.result(Files.newInputStream(file));
                });
        r.put(
                DevStorageService.PARTS_PATH + "{uploadId}/{partNumber}",
                ctx -> {
                    String etag =
                            service.putPart(
                                    ctx.pathParam("uploadId"),
                                    ctx.pathParam("partNumber"),
                                    ctx.queryParam(UrlSigner.EXPIRES),
                                    ctx.queryParam(UrlSigner.SIGNATURE),
                                    ctx.bodyInputStream(),
                                    ctx.req().getContentLengthLong());
                    ctx.attribute(HANDLED, true);
                    ctx.header("ETag", etag).status(200);
                });
    }

    /** Dev-only seeding endpoints; not part of the real service. */
    private static void devRoutes(
            RoutesConfig r, DevStorageService service, StorageDevServer.Options options) {
        r.put(
                "/api/v1/dev/dataset/{name}",
                ctx ->
                        json(
                                ctx,
                                service.putDataset(
                                        ctx.pathParam("name"),
                                        ctx.queryParam("jobId"),
                                        ctx.bodyInputStream(),
                                        ctx.req().getContentLengthLong())));
        r.put(
                "/api/v1/dev/jobs/{jobId}/dataset",
                ctx -> json(ctx, service.bindJob(ctx.pathParam("jobId"), body(ctx, options))));
    }

    private static void errorHandlers(RoutesConfig r) {
        r.exception(
                DevStorageException.class,
                (e, ctx) -> {
                    log.warn(
                            "Refused storage request [method:{}, path:{}, status:{}, reason:{}]: {}",
                            ctx.method(),
                            ctx.path(),
                            e.status(),
                            e.reason(),
                            e.getMessage());
                    error(ctx, e.status(), e.reason(), e.getMessage());
                });
        r.exception(
                Exception.class,
                (e, ctx) -> {
                    log.error(
                            "Storage dev server failed [method:{}, path:{}]",
                            ctx.method(),
                            ctx.path(),
                            e);
                    error(ctx, 500, "internal_error", e.toString());
                });
        r.error(
                404,
                ctx -> {
                    if (ctx.attribute(HANDLED) == null) {
                        error(
                                ctx,
                                404,
                                "no_route",
                                "no endpoint " + ctx.method() + " " + ctx.path());
                    }
                });
    }

    private static JsonNode body(Context ctx, StorageDevServer.Options options) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > options.maxJsonBytes()) {
            throw AtomicFiles.tooLarge("request body", options.maxJsonBytes());
        }
        byte[] bytes;
        try (InputStream in = ctx.bodyInputStream()) {
            bytes = in.readNBytes(options.maxJsonBytes() + 1);
        }
        if (bytes.length > options.maxJsonBytes()) {
            throw AtomicFiles.tooLarge("request body", options.maxJsonBytes());
        }
        JsonNode node;
        try {
            node = DevStore.JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw DevStorageException.badRequest(
                    "body is not valid JSON: " + Names.printable(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw DevStorageException.badRequest("body must be a JSON object");
        }
        return node;
    }

    private static void json(Context ctx, ObjectNode answer) throws IOException {
        ctx.attribute(HANDLED, true);
        ctx.contentType("application/json").result(DevStore.JSON.writeValueAsBytes(answer));
    }

    private static void error(Context ctx, int status, String reason, String message) {
        ctx.attribute(HANDLED, true);
        ObjectNode body =
                DevStore.JSON.createObjectNode().put("error", message).put("reason", reason);
        drainOrClose(ctx);
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    /** Drains a refused request's body (see {@link RequestBodies#drain}), else closes after. */
    private static void drainOrClose(Context ctx) {
        if (!RequestBodies.drain(() -> ctx.req().getInputStream(), DRAIN_LIMIT)) {
            ctx.header("Connection", "close");
        }
    }

    /** The scheme and host the client used, so URLs work through any address of the server. */
    private static String base(Context ctx) {
        String hostHeader = ctx.header("Host");
        if (hostHeader == null || !HOST_HEADER.matcher(hostHeader).matches()) {
            hostHeader = ctx.req().getLocalName() + ":" + ctx.port();
        }
        return ctx.scheme() + "://" + hostHeader;
    }
}
