package io.emeth.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for the Confluent Schema Registry REST API, written by hand (java.net.http + Jackson)
 * because Confluent's client jars are not on Maven Central. Works with Confluent, Apicurio
 * (ccompat), Karapace and the project's own server.
 *
 * <p>Caches id → schema and (subject, schema) → id, which never change once assigned, so a
 * serializer asks the registry once per schema. Several comma-separated URLs fail over in order
 * when one cannot be reached.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    private static final Logger log = LoggerFactory.getLogger(RestSchemaRegistryClient.class);

    private final RegistryHttp http;
    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ConcurrentMap<String, Integer>> idsBySubject =
            new ConcurrentHashMap<>();

    /** A client for one or more comma-separated registry URLs, without authentication. */
    public RestSchemaRegistryClient(String urls) {
        this(urls, null, Duration.ofSeconds(30));
    }

    /**
     * @param urls comma-separated {@code http(s)://host:port} URLs
     * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null
     * @param requestTimeout how long one request may take
     * @throws IllegalArgumentException naming a URL that is not http(s)
     */
    public RestSchemaRegistryClient(
            String urls, String basicAuthUserInfo, Duration requestTimeout) {
        this.http = new RegistryHttp(urls, basicAuthUserInfo, requestTimeout);
    }

    @Override
    public int register(String subject, Schema schema) {
        String text = schema.toString();
        Integer cached = idsFor(subject).get(text);
        if (cached != null) {
            return cached;
        }
        JsonNode answer =
                http.call("POST", subjectPath(subject) + "/versions", Map.of("schema", text));
        int id = requiredInt(answer, "id");
        idsFor(subject).put(text, id);
        schemasById.putIfAbsent(id, schema);
        log.info("Registered schema [subject:{}, id:{}, registry:{}]", subject, id, target());
        return id;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        JsonNode answer =
                http.call("POST", subjectPath(subject), Map.of("schema", schema.toString()));
        RegisteredSchema registered = registered(subject, answer);
        idsFor(subject).put(schema.toString(), registered.id());
        return registered;
    }

    @Override
    public int idOf(String subject, Schema schema) {
        Integer cached = idsFor(subject).get(schema.toString());
        return cached != null ? cached : lookup(subject, schema).id();
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = http.call("GET", "/schemas/ids/" + id, null);
        requireAvro(answer, "schema id " + id);
        Schema schema = parse(requiredText(answer, "schema"), "schema id " + id);
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return registered(
                subject, http.call("GET", subjectPath(subject) + "/versions/latest", null));
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return registered(
                subject, http.call("GET", subjectPath(subject) + "/versions/" + version, null));
    }

    @Override
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        http.call("GET", "/subjects", null).forEach(node -> subjects.add(node.asText()));
        return subjects;
    }

    @Override
    public List<Integer> versions(String subject) {
        List<Integer> versions = new ArrayList<>();
        http.call("GET", subjectPath(subject) + "/versions", null)
                .forEach(node -> versions.add(node.asInt()));
        return versions;
    }

    @Override
    public CompatibilityCheck testCompatibility(String subject, Schema schema) {
        JsonNode answer;
        try {
            answer =
                    http.call(
                            "POST",
                            "/compatibility"
                                    + subjectPath(subject)
                                    + "/versions/latest?verbose=true",
                            Map.of("schema", schema.toString()));
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                return CompatibilityCheck.ok(); // a subject without versions accepts anything
            }
            throw e;
        }
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(node -> messages.add(node.asText()));
        return new CompatibilityCheck(answer.path("is_compatible").asBoolean(false), messages);
    }

    @Override
    public CompatibilityLevel compatibility() {
        return level(http.call("GET", "/config", null), "/config");
    }

    @Override
    public void setCompatibility(CompatibilityLevel level) {
        http.call("PUT", "/config", Map.of("compatibility", level.name()));
    }

    @Override
    public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        try {
            return Optional.of(level(http.call("GET", configPath(subject), null), subject));
        } catch (SchemaRegistryException e) {
            if (notConfigured(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void setSubjectCompatibility(String subject, CompatibilityLevel level) {
        http.call("PUT", configPath(subject), Map.of("compatibility", level.name()));
    }

    @Override
    public void deleteSubjectCompatibility(String subject) {
        try {
            http.call("DELETE", configPath(subject), null);
        } catch (SchemaRegistryException e) {
            if (!notConfigured(e)) {
                throw e;
            }
        }
    }

    @Override
    public String target() {
        return http.target();
    }

    private RegisteredSchema registered(String subject, JsonNode answer) {
        requireAvro(answer, "subject " + subject);
        int id = requiredInt(answer, "id");
        Schema schema =
                schemasById.computeIfAbsent(
                        id, i -> parse(requiredText(answer, "schema"), "schema id " + i));
        String name = answer.path("subject").asText(subject);
        return new RegisteredSchema(name, requiredInt(answer, "version"), id, schema);
    }

    private static CompatibilityLevel level(JsonNode answer, String what) {
        JsonNode level =
                answer.has("compatibilityLevel")
                        ? answer.get("compatibilityLevel")
                        : answer.path("compatibility");
        if (!level.isTextual()) {
            throw new SchemaRegistryException(
                    200, 0, "schema registry answered no compatibility level for " + what);
        }
        return CompatibilityLevel.parse(level.asText());
    }

    private static boolean notConfigured(SchemaRegistryException e) {
        return e.errorCode() == SchemaRegistryException.SUBJECT_LEVEL_NOT_CONFIGURED
                || e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND;
    }

    private ConcurrentMap<String, Integer> idsFor(String subject) {
        return idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    }

    private static void requireAvro(JsonNode answer, String what) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new SchemaRegistryException(
                    200, 0, what + " holds a " + type + " schema; only AVRO is supported");
        }
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw SchemaRegistryException.invalidSchema(
                    "the registry returned an unparseable schema for "
                            + what
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static int requiredInt(JsonNode answer, String field) {
        JsonNode node = answer.path(field);
        if (!node.canConvertToInt()) {
            throw new SchemaRegistryException(
                    200, 0, "schema registry answer lacks the integer '" + field + "': " + answer);
        }
        return node.asInt();
    }

    private static String requiredText(JsonNode answer, String field) {
        JsonNode node = answer.path(field);
        if (!node.isTextual()) {
            throw new SchemaRegistryException(
                    200, 0, "schema registry answer lacks the text '" + field + "'");
        }
        return node.asText();
    }

    private static String subjectPath(String subject) {
        return "/subjects/" + RegistryHttp.encode(subject);
    }

    private static String configPath(String subject) {
        return "/config/" + RegistryHttp.encode(subject);
    }
}
