package io.emeth.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a node's admin-rpc over HTTP as an operator's tools do: JSON-RPC posts and GETs. */
public final class AdminHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** An answer: the HTTP status and the body (as JSON when it is JSON, else null). */
    public record Answer(int status, String body, JsonNode json) {}

    private final String baseUrl;

    public AdminHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** POSTs {@code body} as it is to {@code /api/json-rpc} with Content-Type application/json. */
    public Answer jsonRpc(String body) throws IOException, InterruptedException {
        return answer(
                HttpRequest.newBuilder(URI.create(baseUrl + "/api/json-rpc"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build());
    }

    /** GETs {@code path} (e.g. {@code /health}). */
    public Answer get(String path) throws IOException, InterruptedException {
        return answer(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(30))
                        .build());
    }

    private static Answer answer(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        return new Answer(response.statusCode(), response.body(), json);
    }
}
