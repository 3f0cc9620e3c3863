package io.emeth.master.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.master.InternalTopics;
import io.emeth.master.MasterApp;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import io.emeth.master.errors.DeadLetters;
import io.emeth.master.testing.RawTopics;
import io.emeth.master.testing.TestConfigs;
import io.emeth.registry.SchemaRegistryServer;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.master.MasterDeadLetter;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A record that makes the pool matcher throw every time, on the real broker: the task fails and is
 * retried from its last commit, and after {@link DeadLetters#MAX_ATTEMPTS} attempts the record
 * lands on {@code master-dead-letters} with its error while the records behind it are matched.
 */
class DeadLetterIT {
    private final KafkaTestCluster kafka = KafkaTestCluster.shared();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void shouldDeadLetterARecordThatAlwaysFailsAndMatchTheNextJob(TestInfo test) throws Exception {
        // Given a master running in this JVM on the real broker and registry
        String name = "DeadLetterIT-" + UUID.randomUUID().toString().substring(0, 8);
        String prefix = name + ".";
        SchemaRegistryServer registry =
                SchemaRegistryServer.start(
                        SchemaRegistryServer.Settings.defaults(kafka.bootstrapServers())
                                .withTopic(prefix + "_schemas"));
        cleanup.add(registry);
        Topics topics = Topics.create(SerdeConfig.of(registry.url()), prefix);
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(topics.specs().stream().map(s -> s.newTopic((short) 1)).toList())
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        Path dir = Files.createDirectories(Path.of("target", "it", name));
        MasterStreamsConfig config = config(dir, registry.url(), prefix, name);
        MasterApp app = MasterApp.start(config);
        cleanup.add(app);
        String pool = config.poolId();

        // When a pool-inbox record arrives that the pool matcher cannot read (JSON, as a master
        // before the move to Avro wrote it), followed by two workers and a job
        String poison = "{\"type\":\"replan\",\"attempt\":1,\"keep\":[],\"remainingEpochs\":1}";
        try (KafkaProducer<String, byte[]> producer =
                RawTopics.producer(kafka.bootstrapServers(), Map.of())) {
            producer.send(
                    new ProducerRecord<>(
                            InternalTopics.poolInbox(config, topics),
                            pool,
                            poison.getBytes(StandardCharsets.UTF_8)));
        }
        SimulatedWorld world = new SimulatedWorld(kafka.bootstrapServers(), topics, pool);
        cleanup.add(world);
        world.start(2, 40);
        String job =
                world.request(
                        TestConfigs.emt(20),
                        Duration.ofSeconds(100_000),
                        SimulatedWorld.Fate.VERIFIED);

        // Then the job behind the poison record is matched and trained to the end
        // (the failing stream threads' exceptions are expected: Awaitility must not fail on them)
        Awaitility.await("the job after the poison record verified")
                .dontCatchUncaughtExceptions()
                .atMost(Duration.ofSeconds(240))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () ->
                                world.job(job) != null
                                        && world.job(job).getState() == JobState.VERIFIED);

        // And the poison record is on the dead-letter topic with its error, once
        List<MasterDeadLetter> letters = new ArrayList<>();
        var values = topics.valueSerde(MasterDeadLetter.class).deserializer();
        try (KafkaConsumer<String, byte[]> consumer =
                RawTopics.consumer(kafka.bootstrapServers(), name + "-reader", Map.of())) {
            consumer.subscribe(List.of(InternalTopics.deadLetters(topics)));
            Awaitility.await("a dead letter")
                    .dontCatchUncaughtExceptions()
                    .atMost(Duration.ofSeconds(60))
                    .until(
                            () -> {
                                for (ConsumerRecord<String, byte[]> r :
                                        consumer.poll(Duration.ofMillis(500))) {
                                    letters.add(values.deserialize(r.topic(), r.value()));
                                }
                                return !letters.isEmpty();
                            });
        }
        assertThat(letters)
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.getProcessor()).isEqualTo("pool-matcher");
                            assertThat(l.getAttempts()).isEqualTo(DeadLetters.MAX_ATTEMPTS);
                            assertThat(l.getError()).contains("JSON PoolMessage");
                            assertThat(l.getValue()).isEqualTo(poison);
                        });
        assertThat(app.isRunning()).isTrue();
    }

    private MasterStreamsConfig config(Path dir, String registry, String prefix, String appId)
            throws Exception {
        String extra =
                "\"kafka_bootstrap_servers\": \""
                        + kafka.bootstrapServers()
                        + "\", \"schema_registry_url\": \""
                        + registry
                        + "\", \"topic_prefix\": \""
                        + prefix
                        + "\", \"application_id\": \""
                        + appId
                        + "\", \"state_dir\": \""
                        + dir.resolve("state").toAbsolutePath()
                        + "\", \"punctuate_interval_ms\": 500,"
                        + " \"kafka_properties\": {\"session.timeout.ms\": \"6000\","
                        + " \"heartbeat.interval.ms\": \"1500\"}";
        Path file = dir.resolve("master.json");
        Files.writeString(file, TestConfigs.json("nvm", extra));
        return MasterStreamsConfigLoader.load(file);
    }
}
