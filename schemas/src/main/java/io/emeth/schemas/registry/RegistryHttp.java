package io.emeth.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON over HTTP to a Confluent-compatible registry: sends a request to each configured URL in turn
 * until one answers, and turns an error answer into a {@link SchemaRegistryException} with the HTTP
 * status, the registry's {@code error_code} and message.
 */
final class RegistryHttp {
    private static final Logger log = LoggerFactory.getLogger(RegistryHttp.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9,"
                    + " application/json; qs=0.5";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_TEXT = 500;

    private final List<URI> baseUrls;
    private final String authorization;
    private final Duration requestTimeout;
    private final HttpClient http;

    RegistryHttp(String urls, String basicAuthUserInfo, Duration requestTimeout) {
        this.baseUrls = parseUrls(urls);
        this.authorization =
                basicAuthUserInfo == null || basicAuthUserInfo.isEmpty()
                        ? null
                        : "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    String target() {
        return baseUrls.size() == 1 ? baseUrls.get(0).toString() : baseUrls.toString();
    }

    /** Sends {@code body} (null for none) as JSON and returns the JSON answer. */
    JsonNode call(String method, String path, Object body) {
        String payload = body == null ? null : toJson(body);
        IOException lastFailure = null;
        for (URI base : baseUrls) {
            URI uri = URI.create(base + path);
            try {
                HttpResponse<String> response =
                        http.send(
                                request(method, uri, payload),
                                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                return answer(method, uri, response);
            } catch (IOException e) {
                lastFailure = e;
                log.warn("Schema registry unreachable [url:{}, error:{}]", uri, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(
                        0, 0, "interrupted while calling the schema registry at " + uri, e);
            }
        }
        throw new SchemaRegistryException(
                0,
                0,
                "schema registry unreachable at "
                        + target()
                        + " ("
                        + method
                        + " "
                        + path
                        + "): "
                        + lastFailure
                        + "; check "
                        + SerdeConfig.REGISTRY_URL
                        + " and that the registry is running",
                lastFailure);
    }

    /** A path segment (a subject name) percent-encoded. */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest request(String method, URI uri, String payload) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Accept", ACCEPT);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (payload == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", CONTENT_TYPE)
                .method(
                        method,
                        HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
                .build();
    }

    private static JsonNode answer(String method, URI uri, HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body();
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (body.isBlank()) {
                return MissingNode.getInstance();
            }
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new SchemaRegistryException(
                        status,
                        0,
                        "schema registry at "
                                + uri
                                + " answered "
                                + method
                                + " with invalid JSON: "
                                + abbreviate(body),
                        e);
            }
        }
        int errorCode = status;
        String message = abbreviate(body);
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.has("error_code")) {
                errorCode = error.path("error_code").asInt(status);
                message = error.path("message").asText(message);
            }
        } catch (JsonProcessingException e) {
            // not JSON (a proxy's error page): keep the raw text as the message
        }
        throw new SchemaRegistryException(
                status, errorCode, message + " [" + method + " " + uri + " -> " + status + "]");
    }

    private static String toJson(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a registry request as JSON", e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_ERROR_TEXT ? text : text.substring(0, MAX_ERROR_TEXT) + "...";
    }

    static List<URI> parseUrls(String urls) {
        if (urls == null || urls.isBlank()) {
            throw new IllegalArgumentException(
                    SerdeConfig.REGISTRY_URL + " is empty; set it to the registry's http(s) URL");
        }
        List<URI> result = new ArrayList<>();
        for (String part : urls.split(",")) {
            String url = part.trim();
            while (url.endsWith("/")) {
                url = url.substring(0, url.length() - 1);
            }
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        SerdeConfig.REGISTRY_URL + " '" + part.trim() + "' is not a URL", e);
            }
            boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            if (!http || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        SerdeConfig.REGISTRY_URL
                                + " '"
                                + part.trim()
                                + "' is not an http(s)://host:port URL (or mock://scope for tests)");
            }
            result.add(uri);
        }
        return List.copyOf(result);
    }
}
