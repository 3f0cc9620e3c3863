package io.emeth.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetricsServerIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServePrometheusMetricsAndAHealthThatFollowsItsChecks() throws Exception {
        // Given a process with a counter and a check that can go down
        PrometheusMeterRegistry registry = MetricsServer.newRegistry("test");
        registry.counter("emeth_probe_events").increment(3);
        AtomicBoolean kafkaUp = new AtomicBoolean(true);
        try (MetricsServer server =
                MetricsServer.start("127.0.0.1", 0, registry, Map.of("kafka", kafkaUp::get))) {
            // When scraped
            HttpResponse<String> metrics = get(server.url() + "/metrics");
            HttpResponse<String> healthy = get(server.url() + "/health");
            kafkaUp.set(false);
            HttpResponse<String> unhealthy = get(server.url() + "/health");

            // Then
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("emeth_probe_events_total{process=\"test\"} 3.0")
                    .contains("jvm_memory_used_bytes");
            assertThat(healthy.statusCode()).isEqualTo(200);
            assertThat(healthy.body()).contains("\"kafka\":\"UP\"").contains("\"status\":\"UP\"");
            assertThat(unhealthy.statusCode()).isEqualTo(503);
            assertThat(unhealthy.body())
                    .contains("\"kafka\":\"DOWN\"")
                    .contains("\"status\":\"DOWN\"");
        }
    }

    @Test
    void shouldCountACheckThatThrowsAsDown() throws Exception {
        try (MetricsServer server =
                MetricsServer.start(
                        "127.0.0.1",
                        0,
                        MetricsServer.newRegistry("test"),
                        Map.of(
                                "broken",
                                () -> {
                                    throw new IllegalStateException("boom");
                                }))) {
            HttpResponse<String> health = get(server.url() + "/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"broken\":\"DOWN\"");
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
