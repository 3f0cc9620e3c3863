package io.emeth.worker.it;

import com.sun.net.httpserver.HttpServer;
import io.emeth.common.config.WorkerConfig;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.registry.SchemaRegistryServer;
import io.emeth.schemas.TopicSpec;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.storage.dev.StorageDevServer;
import io.emeth.testkit.KafkaTestCluster;
import io.emeth.worker.WorkerAgent;
import io.emeth.worker.WorkerOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * A worker's world for one IT, on the JVM's shared broker: a schema registry, the pipeline's topics
 * under a prefix of the test's own, a storage dev server, the master's node-info endpoint (a JDK
 * HTTP server answering what admin-rpc answers), a producer that plays the master on {@code
 * worker-assignments}, and a recorder of everything the workers publish.
 */
final class WorkerStack implements AutoCloseable {
    static final String POOL = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    final KafkaTestCluster kafka = KafkaTestCluster.shared();
    final String name;
    final String prefix;
    final Path dir;
    final SchemaRegistryServer registry;
    final Topics topics;
    final StorageDevServer storage;
    final HttpServer nodeInfo;
    final EventRecorder recorder;
    private final KafkaProducer<String, WorkerAssignment> master;
    private final KafkaProducer<String, TrainingEvent> training;
    private final KafkaProducer<String, byte[]> raw;
    private final KafkaProducer<String, WorkerView> views;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    WorkerStack(String testName) throws IOException {
        this.name = testName + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.prefix = name + ".";
        this.dir = Files.createDirectories(Path.of("target", "it", name)).toAbsolutePath();
        // created (and awaited) here: the registry's own setup can describe it before the broker
        // knows it, which fails its start now and then
        createTopics(
                List.of(
                        new NewTopic(prefix + "_schemas", 1, (short) 1)
                                .configs(Map.of("cleanup.policy", "compact"))));
        this.registry =
                SchemaRegistryServer.start(
                        SchemaRegistryServer.Settings.defaults(kafka.bootstrapServers())
                                .withTopic(prefix + "_schemas"));
        closeables.add(registry);
        this.topics = Topics.create(SerdeConfig.of(registry.url()), prefix);
        createTopics(topics.specs().stream().map(spec -> spec.newTopic((short) 1)).toList());
        this.storage = StorageDevServer.start(dir.resolve("storage"), "127.0.0.1", 0);
        closeables.add(storage);
        this.nodeInfo = nodeInfoServer();
        this.recorder = new EventRecorder(kafka.bootstrapServers(), topics);
        closeables.add(recorder);
        this.master =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new StringSerializer(),
                        topics.workerAssignments().valueSerde().serializer());
        closeables.add(master);
        Map<String, Object> plain =
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        this.training =
                new KafkaProducer<>(
                        plain,
                        new StringSerializer(),
                        topics.trainingEvents().valueSerde().serializer());
        closeables.add(training);
        this.raw = new KafkaProducer<>(plain, new StringSerializer(), new ByteArraySerializer());
        closeables.add(raw);
        this.views =
                new KafkaProducer<>(
                        plain,
                        new StringSerializer(),
                        topics.workerStatus().valueSerde().serializer());
        closeables.add(views);
    }

    /** Creates the topics and waits until the broker describes every one of them. */
    private void createTopics(List<NewTopic> newTopics) {
        List<String> names = newTopics.stream().map(NewTopic::name).toList();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
            Awaitility.await("topics described")
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(
                            () ->
                                    admin.describeTopics(names)
                                                    .allTopicNames()
                                                    .get(5, TimeUnit.SECONDS)
                                                    .size()
                                            == names.size());
        } catch (Exception e) {
            throw new IllegalStateException("could not create the topics of " + name, e);
        }
    }

    /** Answers GET /api/v1/node-info as the master's admin-rpc does. */
    private HttpServer nodeInfoServer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String json =
                "{\"pool\":\""
                        + POOL
                        + "\",\"kafkaBootstrapServers\":\""
                        + kafka.bootstrapServers()
                        + "\",\"schemaRegistryUrl\":\""
                        + registry.url()
                        + "\",\"topicPrefix\":\""
                        + prefix
                        + "\",\"storageApi\":\""
                        + storage.url()
                        + "\"}";
        server.createContext(
                "/api/v1/node-info",
                exchange -> {
                    byte[] body = json.getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        server.start();
        closeables.add(() -> server.stop(0));
        return server;
    }

    URI masterNodeUrl() {
        return URI.create("http://127.0.0.1:" + nodeInfo.getAddress().getPort());
    }

    /** Stores a data set in the storage dev server, bound to {@code jobId}. */
    void seedDataset(String dataset, String jobId, byte[] text)
            throws IOException, InterruptedException {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        storage.url()
                                                                + "/api/v1/dev/dataset/"
                                                                + dataset
                                                                + "?jobId="
                                                                + jobId))
                                        .PUT(HttpRequest.BodyPublishers.ofByteArray(text))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("seeding the data set failed: " + response.body());
        }
    }

    /** Stores {@link TestJobs#corpus} as {@link TestJobs#CORPUS} for {@code jobId}; returns it. */
    byte[] seedCorpus(String jobId, int bytes, long seed) throws IOException, InterruptedException {
        byte[] text = TestJobs.corpus(bytes, seed);
        seedDataset(TestJobs.CORPUS, jobId, text);
        return text;
    }

    /** A worker.json as an operator of the original node writes it (no Kafka keys: node-info). */
    WorkerConfig config(String worker, NodeIdentity identity) {
        Path home = dir.resolve(worker);
        return new WorkerConfig(
                "cpu",
                Optional.of(URI.create("http://127.0.0.1:1/" + worker)),
                masterNodeUrl(),
                100,
                Optional.of(identity),
                TestJobs.TIMEOUTS,
                home.resolve("worker.key"),
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                Optional.empty(),
                Duration.ofMillis(500),
                home.resolve("data"),
                home.resolve("models"));
    }

    /**
     * Starts a worker with {@link TestJobs#TIMEOUTS}; again with the same name, it restarts one.
     */
    WorkerAgent startWorker(String worker, NodeIdentity identity)
            throws IOException, InterruptedException {
        return startWorker(worker, identity, WorkerOptions.defaults());
    }

    WorkerAgent startWorker(String worker, NodeIdentity identity, WorkerOptions options)
            throws IOException, InterruptedException {
        WorkerAgent agent = WorkerAgent.start(config(worker, identity), options);
        closeables.add(agent);
        return agent;
    }

    /**
     * Starts one worker per name, each with a new key and {@link TestJobs#TIMEOUTS}, and waits
     * until every one of them has registered with the master.
     */
    StartedWorkers startWorkers(String... workers) throws IOException, InterruptedException {
        return startWorkers(WorkerOptions.defaults(), workers);
    }

    StartedWorkers startWorkers(WorkerOptions options, String... workers)
            throws IOException, InterruptedException {
        List<NodeIdentity> identities = new ArrayList<>();
        List<WorkerAgent> agents = new ArrayList<>();
        for (String worker : workers) {
            NodeIdentity identity = NodeIdentity.generate();
            identities.add(identity);
            agents.add(startWorker(worker, identity, options));
        }
        StartedWorkers started = new StartedWorkers(identities, agents);
        Awaitility.await("workers " + List.of(workers) + " registered")
                .atMost(Duration.ofSeconds(30))
                .until(() -> started.addresses().stream().allMatch(recorder::registered));
        return started;
    }

    /** Writes each assignment as the master does; returns where each was written, by worker. */
    Map<String, RecordMetadata> assignAll(List<WorkerAssignment> assignments) throws Exception {
        Map<String, RecordMetadata> written = new LinkedHashMap<>();
        for (WorkerAssignment assignment : assignments) {
            written.put(assignment.getWorker(), assign(assignment));
        }
        return written;
    }

    /** Publishes a training event as a (possibly fake) worker would. */
    void publish(TrainingEvent event) throws Exception {
        training.send(new ProducerRecord<>(topics.trainingEvents().name(), event.getJobId(), event))
                .get(30, TimeUnit.SECONDS);
    }

    /** Writes the master's view of a worker to worker-status. */
    void publishView(WorkerView view) throws Exception {
        views.send(new ProducerRecord<>(topics.workerStatus().name(), view.getWorker(), view))
                .get(30, TimeUnit.SECONDS);
    }

    /**
     * Writes raw bytes to worker-assignments under {@code key}: what a broken producer might send.
     */
    void assignRaw(String key, byte[] value) throws Exception {
        raw.send(new ProducerRecord<>(topics.workerAssignments().name(), key, value))
                .get(30, TimeUnit.SECONDS);
    }

    /** Writes an assignment as the master does (key: the worker's address). */
    RecordMetadata assign(WorkerAssignment assignment) throws Exception {
        return master.send(
                        new ProducerRecord<>(
                                topics.workerAssignments().name(),
                                assignment.getWorker(),
                                assignment))
                .get(30, TimeUnit.SECONDS);
    }

    int partitions() {
        return topics.specs().stream()
                .filter(s -> s.name().equals(topics.workerAssignments().name()))
                .mapToInt(TopicSpec::partitions)
                .findFirst()
                .orElseThrow();
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // best effort: the next test has its own names
            }
        }
    }
}
