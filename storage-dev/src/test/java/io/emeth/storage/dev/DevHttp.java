package io.emeth.storage.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** Raw HTTP for the ITs that must send what the real client never would. */
final class DevHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    record Answer(int status, String body, HttpResponse<String> response) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        String reason() throws IOException {
            return json().path("reason").asText();
        }

        String error() throws IOException {
            return json().path("error").asText();
        }
    }

    private DevHttp() {}

    /**
     * A body signed like the real client's: {sig, address, jobId, signedtime} plus extra members.
     */
    static String signed(
            io.emeth.common.eth.NodeIdentity id, String jobId, long now, String extra) {
        String sig = io.emeth.common.eth.Signatures.signStorageRequest(id, jobId, now);
        return "{\"sig\":\""
                + sig
                + "\",\"address\":\""
                + id.address()
                + "\",\"jobId\":\""
                + jobId
                + "\",\"signedtime\":"
                + now
                + (extra.isEmpty() ? "" : "," + extra)
                + "}";
    }

    static Answer post(String url, String json) throws Exception {
        return send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build());
    }

    static Answer put(String url, byte[] body) throws Exception {
        return send(
                HttpRequest.newBuilder(URI.create(url))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build());
    }

    static Answer get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    static Answer send(HttpRequest request) throws Exception {
        return send(HTTP, request);
    }

    static Answer send(HttpClient client, HttpRequest request) throws Exception {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(), response);
    }

    /** A clock the test moves by hand, so expiry is tested without waiting. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        void advanceSeconds(long seconds) {
            now.updateAndGet(i -> i.plusSeconds(seconds));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
