package io.emeth.worker.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.config.WorkerConfig;
import io.emeth.common.config.WorkerTimeouts;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionTest {

    private static final String POOL = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static final NodeInfo INFO =
            new NodeInfo(
                    POOL,
                    "master-kafka:9092",
                    URI.create("http://master-registry:8081"),
                    "dev.",
                    Optional.of(URI.create("http://storage:3000")));
    private final AtomicInteger fetches = new AtomicInteger();

    @Test
    void shouldTakeWhatTheOriginalKeysLackFromNodeInfo() throws Exception {
        Connection c =
                Connection.resolve(
                        config(Optional.empty(), Optional.empty(), Optional.empty()),
                        Optional.empty(),
                        Optional.empty(),
                        this::fetch);

        assertThat(c.pool()).isEqualTo(POOL);
        assertThat(c.bootstrapServers()).isEqualTo("master-kafka:9092");
        assertThat(c.schemaRegistryUrl()).isEqualTo(URI.create("http://master-registry:8081"));
        assertThat(c.topicPrefix()).isEqualTo("dev.");
        assertThat(c.storageApi()).isEqualTo(URI.create("http://storage:3000"));
        assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SSL");
        assertThat(fetches).hasValue(1);
    }

    @Test
    void shouldPreferTheConfigsValuesOverNodeInfo() throws Exception {
        Connection c =
                Connection.resolve(
                        config(
                                Optional.of("local:9092"),
                                Optional.of(URI.create("http://local:8081")),
                                Optional.of(POOL)),
                        Optional.empty(),
                        Optional.of("mine."),
                        this::fetch);

        assertThat(c.bootstrapServers()).isEqualTo("local:9092");
        assertThat(c.schemaRegistryUrl()).isEqualTo(URI.create("http://local:8081"));
        assertThat(c.topicPrefix()).isEqualTo("mine.");
        assertThat(c.storageApi())
                .isEqualTo(URI.create("http://storage:3000")); // only node-info knows it
    }

    @Test
    void shouldNotAskTheMasterWhenNothingIsMissing() throws Exception {
        Connection c =
                Connection.resolve(
                        config(
                                Optional.of("local:9092"),
                                Optional.of(URI.create("http://local:8081")),
                                Optional.of(POOL)),
                        Optional.of(URI.create("http://my-storage:1")),
                        Optional.empty(),
                        () -> {
                            throw new AssertionError("node-info must not be fetched");
                        });
        assertThat(c.topicPrefix()).isEmpty();
        assertThat(c.storageApi()).isEqualTo(URI.create("http://my-storage:1"));
    }

    @Test
    void shouldNameTheMissingStorageApiAndTheFix() {
        NodeInfo withoutStorage =
                new NodeInfo(POOL, "k:1", URI.create("http://r:1"), "", Optional.empty());
        assertThatThrownBy(
                        () ->
                                Connection.resolve(
                                        config(
                                                Optional.empty(),
                                                Optional.empty(),
                                                Optional.empty()),
                                        Optional.empty(),
                                        Optional.empty(),
                                        () -> withoutStorage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storageApi")
                .hasMessageContaining("http://master:5000/api/v1/node-info")
                .hasMessageContaining("does not name the storage API");
    }

    private NodeInfo fetch() {
        fetches.incrementAndGet();
        return INFO;
    }

    private static WorkerConfig config(
            Optional<String> kafka, Optional<URI> registry, Optional<String> pool) {
        return new WorkerConfig(
                "cpu",
                Optional.empty(),
                URI.create("http://master:5000/"),
                100,
                Optional.empty(),
                WorkerTimeouts.DEFAULTS,
                Path.of("config/worker.key"),
                kafka,
                registry,
                Map.of("security.protocol", "SSL"),
                pool,
                Duration.ofSeconds(5),
                Path.of(".emeth/worker"),
                Path.of(".emeth/models"));
    }
}
