package io.emeth.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.schemas.registry.CompatibilityCheck;
import io.emeth.schemas.registry.CompatibilityLevel;
import io.emeth.schemas.registry.RegisteredSchema;
import io.emeth.schemas.registry.RegistryState;
import io.emeth.schemas.registry.SchemaRegistryException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API subset the project's client uses, plus the read-only
 * listings tools expect, with Confluent's JSON shapes and error codes. Parses and answers only; the
 * rules live in {@link DurableRegistry} and the shared {@link RegistryState}.
 */
final class RegistryRoutes {
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Logger log = LoggerFactory.getLogger(RegistryRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SUBJECT_LENGTH = 1024;

    private final DurableRegistry registry;

    RegistryRoutes(DurableRegistry registry) {
        this.registry = registry;
    }

    void install(JavalinDefaultRoutingApi routes) {
        routes.get("/", ctx -> json(ctx, Map.of()));
        routes.get("/subjects", ctx -> json(ctx, state().subjects()));
        routes.get(
                "/subjects/{subject}/versions", ctx -> json(ctx, state().versions(subject(ctx))));
        routes.post("/subjects/{subject}/versions", this::register);
        routes.get("/subjects/{subject}/versions/{version}", ctx -> json(ctx, body(version(ctx))));
        routes.get(
                "/subjects/{subject}/versions/{version}/schema",
                ctx -> raw(ctx, version(ctx).schema().toString()));
        routes.post("/subjects/{subject}", this::lookup);
        routes.get("/schemas/ids/{id}", ctx -> json(ctx, Map.of("schema", schemaText(ctx))));
        routes.get("/schemas/ids/{id}/schema", ctx -> raw(ctx, schemaText(ctx)));
        routes.get(
                "/schemas/ids/{id}/versions", ctx -> json(ctx, state().subjectVersionsOf(id(ctx))));
        routes.get(
                "/schemas/ids/{id}/subjects",
                ctx ->
                        json(
                                ctx,
                                state().subjectVersionsOf(id(ctx)).stream()
                                        .map(RegistryState.SubjectVersion::subject)
                                        .distinct()
                                        .toList()));
        routes.get("/schemas/types", ctx -> json(ctx, List.of("AVRO")));
        routes.post("/compatibility/subjects/{subject}/versions/{version}", this::compatibility);
        routes.get(
                "/config",
                ctx ->
                        json(
                                ctx,
                                Map.of(
                                        "compatibilityLevel",
                                        state().globalCompatibility().name())));
        routes.put("/config", ctx -> setCompatibility(ctx, null));
        routes.get("/config/{subject}", this::subjectCompatibility);
        routes.put("/config/{subject}", ctx -> setCompatibility(ctx, subject(ctx)));
        routes.delete(
                "/config/{subject}",
                ctx ->
                        json(
                                ctx,
                                Map.of(
                                        "compatibilityLevel",
                                        registry.deleteSubjectCompatibility(subject(ctx)).name())));
        routes.get("/mode", ctx -> json(ctx, Map.of("mode", "READWRITE")));
        installErrors(routes);
    }

    private void installErrors(JavalinDefaultRoutingApi routes) {
        routes.exception(
                SchemaRegistryException.class,
                (e, ctx) -> {
                    if (e.httpStatus() >= 500) {
                        log.warn(
                                "Registry request failed [method:{}, path:{}, error_code:{}, error:{}]",
                                ctx.method(),
                                ctx.path(),
                                e.errorCode(),
                                e.getMessage());
                    }
                    error(ctx, e.httpStatus(), e.errorCode(), e.getMessage());
                });
        routes.exception(
                HttpResponseException.class,
                (e, ctx) -> error(ctx, e.getStatus(), e.getStatus(), describe(e)));
        routes.exception(
                Exception.class,
                (e, ctx) -> {
                    log.error(
                            "Registry request failed [method:{}, path:{}]",
                            ctx.method(),
                            ctx.path(),
                            e);
                    error(ctx, 500, SchemaRegistryException.STORE_ERROR, "internal error: " + e);
                });
        routes.error(
                404,
                ctx -> {
                    if (ctx.result() == null || !ctx.result().contains("error_code")) {
                        error(
                                ctx,
                                404,
                                404,
                                "HTTP 404 Not Found: " + ctx.method() + " " + ctx.path());
                    }
                });
    }

    private RegistryState state() {
        return registry.state();
    }

    private void register(Context ctx) {
        RegisteredSchema registered = registry.register(subject(ctx), schemaFromBody(ctx));
        json(ctx, Map.of("id", registered.id()));
    }

    private void lookup(Context ctx) {
        json(ctx, body(state().lookup(subject(ctx), schemaFromBody(ctx))));
    }

    private void compatibility(Context ctx) {
        CompatibilityCheck check =
                state().testCompatibility(subject(ctx), versionNumber(ctx), schemaFromBody(ctx));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("is_compatible", check.compatible());
        answer.put("messages", check.messages());
        json(ctx, answer);
    }

    private void subjectCompatibility(Context ctx) {
        String subject = subject(ctx);
        CompatibilityLevel level =
                "true".equalsIgnoreCase(ctx.queryParam("defaultToGlobal"))
                        ? state().effectiveCompatibility(subject)
                        : state().subjectCompatibility(subject)
                                .orElseThrow(() -> DurableRegistry.notConfigured(subject));
        json(ctx, Map.of("compatibilityLevel", level.name()));
    }

    private void setCompatibility(Context ctx, String subject) {
        JsonNode level = jsonBody(ctx).path("compatibility");
        CompatibilityLevel parsed;
        try {
            parsed = CompatibilityLevel.parse(level.isTextual() ? level.asText() : null);
        } catch (IllegalArgumentException e) {
            throw new SchemaRegistryException(
                    422,
                    SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level: " + e.getMessage());
        }
        registry.setCompatibility(subject, parsed);
        json(ctx, Map.of("compatibility", parsed.name()));
    }

    private Schema schemaFromBody(Context ctx) {
        JsonNode body = jsonBody(ctx);
        JsonNode type = body.path("schemaType");
        if (type.isTextual() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw SchemaRegistryException.invalidSchema(
                    "schemaType " + type.asText() + " is not supported; this registry serves AVRO",
                    null);
        }
        if (body.path("references").size() > 0) {
            throw SchemaRegistryException.invalidSchema(
                    "schema references are not supported", null);
        }
        JsonNode schema = body.path("schema");
        if (!schema.isTextual()) {
            throw SchemaRegistryException.invalidSchema(
                    "the request body has no \"schema\" string (send {\"schema\": \"<Avro JSON>\"})",
                    null);
        }
        return RegistryState.parse(schema.asText());
    }

    private static JsonNode jsonBody(Context ctx) {
        String text = ctx.body();
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new SchemaRegistryException(
                        400, 400, "the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(
                    400, 400, "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private RegisteredSchema version(Context ctx) {
        return state().version(subject(ctx), versionNumber(ctx));
    }

    private String schemaText(Context ctx) {
        return state().schemaTextById(id(ctx));
    }

    private static Map<String, Object> body(RegisteredSchema registered) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", registered.subject());
        body.put("version", registered.version());
        body.put("id", registered.id());
        body.put("schema", registered.schema().toString());
        return body;
    }

    private static String subject(Context ctx) {
        String subject = ctx.pathParam("subject");
        boolean control = subject.chars().anyMatch(Character::isISOControl);
        if (subject.isBlank() || subject.length() > MAX_SUBJECT_LENGTH || control) {
            throw new SchemaRegistryException(
                    422,
                    SchemaRegistryException.INVALID_SUBJECT,
                    "Invalid subject: it must be 1 to "
                            + MAX_SUBJECT_LENGTH
                            + " characters without control characters");
        }
        return subject;
    }

    private static int versionNumber(Context ctx) {
        String version = ctx.pathParam("version");
        if ("latest".equals(version)) {
            return -1;
        }
        try {
            int number = Integer.parseInt(version);
            if (number >= 1 || number == -1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new SchemaRegistryException(
                422,
                SchemaRegistryException.INVALID_VERSION,
                "The specified version '"
                        + version
                        + "' is not a valid version id. Allowed values are between [1, 2^31-1]"
                        + " and the string \"latest\"");
    }

    private static int id(Context ctx) {
        String id = ctx.pathParam("id");
        try {
            return Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw SchemaRegistryException.schemaNotFound("'" + id + "' is not a schema id");
        }
    }

    private static void json(Context ctx, Object body) {
        try {
            ctx.contentType(CONTENT_TYPE).result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON", e);
        }
    }

    private static void raw(Context ctx, String schema) {
        ctx.contentType(CONTENT_TYPE).result(schema);
    }

    private static void error(Context ctx, int status, int code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", code);
        body.put("message", message);
        ctx.status(status);
        json(ctx, body);
    }

    private static String describe(HttpResponseException e) {
        if (e.getStatus() == 413) {
            return "the request body is larger than this registry accepts (" + e.getMessage() + ")";
        }
        return e.getMessage();
    }
}
