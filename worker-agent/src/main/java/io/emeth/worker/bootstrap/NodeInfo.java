package io.emeth.worker.bootstrap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.emeth.common.eth.Addresses;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a worker asks its master's admin-rpc at start, {@code GET
 * {master_node_url}/api/v1/node-info}:
 *
 * <pre>
 * {
 *   "pool": "0xChecksummedMasterAddress",        required: the pool the worker joins
 *   "kafkaBootstrapServers": "host:port,…",      required
 *   "schemaRegistryUrl": "http://host:port",     required
 *   "topicPrefix": "",                           optional, default "" (test stacks prefix topics)
 *   "storageApi": "https://storage.example"      optional: the master's storageApi, which a worker
 * }                                              needs to fetch data and upload models
 * </pre>
 *
 * Unknown fields are ignored so the master can add more. A value set in {@code config/worker.json}
 * wins over the one served here.
 */
public record NodeInfo(
        String pool,
        String kafkaBootstrapServers,
        URI schemaRegistryUrl,
        String topicPrefix,
        Optional<URI> storageApi) {

    /** Largest answer read; a node-info document is a few hundred bytes. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern BOOTSTRAP =
            Pattern.compile(
                    "[A-Za-z0-9._\\-\\[\\]:]+:[0-9]{1,5}(,[A-Za-z0-9._\\-\\[\\]:]+:[0-9]{1,5})*");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._\\-]{0,100}");

    public NodeInfo {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(storageApi, "storageApi");
    }

    /**
     * Parses the node-info JSON answered by {@code source}.
     *
     * @throws IllegalArgumentException naming the source and the field that is missing or wrong
     */
    public static NodeInfo parse(String json, URI source) {
        if (json.length() > MAX_BYTES) {
            throw bad(source, "answer has " + json.length() + " characters, at most " + MAX_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw bad(source, "answer is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(source, "answer is not a JSON object");
        }
        String pool = text(root, "pool", source, true);
        if (!Addresses.isValid(pool)) {
            throw bad(source, "pool must be an Ethereum address, got '" + clip(pool) + "'");
        }
        String bootstrap = text(root, "kafkaBootstrapServers", source, true);
        if (!BOOTSTRAP.matcher(bootstrap).matches()) {
            throw bad(
                    source,
                    "kafkaBootstrapServers must be host:port[,host:port…], got '"
                            + clip(bootstrap)
                            + "'");
        }
        URI registry = httpUri(root, "schemaRegistryUrl", source, true);
        String prefix = text(root, "topicPrefix", source, false);
        if (prefix != null && !PREFIX.matcher(prefix).matches()) {
            throw bad(
                    source,
                    "topicPrefix must be up to 100 letters, digits, '.', '_' or '-', got '"
                            + clip(prefix)
                            + "'");
        }
        return new NodeInfo(
                Addresses.checksummed(pool),
                bootstrap,
                registry,
                prefix == null ? "" : prefix,
                Optional.ofNullable(httpUri(root, "storageApi", source, false)));
    }

    private static String text(JsonNode root, String field, URI source, boolean required) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw bad(source, "answer lacks '" + field + "'");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw bad(source, "'" + field + "' must be a string, got " + node.getNodeType());
        }
        String value = node.asText().strip();
        if (required && value.isEmpty()) {
            throw bad(source, "'" + field + "' is empty");
        }
        return value;
    }

    private static URI httpUri(JsonNode root, String field, URI source, boolean required) {
        String value = text(root, field, source, required);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (uri.getHost() == null
                    || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                throw bad(
                        source,
                        "'" + field + "' must be an http(s) URL, got '" + clip(value) + "'");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw bad(source, "'" + field + "' is not a URL: '" + clip(value) + "'");
        }
    }

    private static IllegalArgumentException bad(URI source, String problem) {
        return new IllegalArgumentException(
                "node-info from "
                        + source
                        + ": "
                        + problem
                        + "; is master_node_url the master's admin-rpc?");
    }

    private static String clip(String value) {
        String printable = value.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 80) + "…";
    }
}
