package io.emeth.worker;

import ai.djl.Device;
import io.emeth.common.config.WorkerConfig;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.metrics.MetricsServer;
import io.emeth.common.storage.StorageClient;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.worker.assignments.AssignmentReader;
import io.emeth.worker.bootstrap.Connection;
import io.emeth.worker.bootstrap.NodeInfo;
import io.emeth.worker.bootstrap.NodeInfoClient;
import io.emeth.worker.events.EventPublisher;
import io.emeth.worker.events.WorkerEvents;
import io.emeth.worker.events.WorkerEvents.StatusSnapshot;
import io.emeth.worker.gpt2.HfTokenizers;
import io.emeth.worker.jobs.JobContext;
import io.emeth.worker.jobs.JobSupervisor;
import io.emeth.worker.jobs.WorkerMetrics;
import io.emeth.worker.models.ModelCatalog;
import io.emeth.worker.phases.StatusBoard;
import io.emeth.worker.presence.Presence;
import io.emeth.worker.training.DeviceSelection;
import io.emeth.worker.training.EngineWarmUp;
import io.emeth.worker.training.TrainingRecipe;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code emeth worker}: a Kafka client that registers with its pool, heartbeats, reads its own
 * partition of {@code worker-assignments} and trains its shard of each job in-process with DJL; the
 * round's aggregator also averages the shards and publishes the global model.
 *
 * <p>The launcher calls {@link #start(WorkerConfig, WorkerOptions)} once with the loaded config and
 * keeps the handle: {@link #awaitTermination()} returns when the worker stopped (by {@link
 * #close()} or a fatal error, see {@link #failure()}). Run the JVM with {@code
 * OMP_WAIT_POLICY=PASSIVE} on a machine whose cores are shared (see {@code TorchEngine}).
 */
public final class WorkerAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerAgent.class);

    private final String address;
    private final StatusBoard board;
    private final AssignmentReader reader;
    private final JobSupervisor supervisor;
    private final Presence presence;
    private final EventPublisher publisher;
    private final MetricsServer metrics;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Throwable failure;
    private boolean closed;

    private WorkerAgent(
            String address,
            StatusBoard board,
            AssignmentReader reader,
            JobSupervisor supervisor,
            Presence presence,
            EventPublisher publisher,
            MetricsServer metrics) {
        this.address = address;
        this.board = board;
        this.reader = reader;
        this.supervisor = supervisor;
        this.presence = presence;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    /** Starts a worker with the config alone (production: the rest comes from node-info). */
    public static WorkerAgent start(WorkerConfig config) throws IOException, InterruptedException {
        return start(config, WorkerOptions.defaults());
    }

    /**
     * Starts a worker: checks the device, resolves its key and connection (asking the master's
     * node-info for what the config lacks), positions its assignment reader, registers and begins
     * heartbeating.
     *
     * @throws IllegalArgumentException naming the config key when a value is unusable (e.g. {@code
     *     device: cuda} without a GPU), or naming the directory and the file when a model directory
     *     in {@code models_dir} is incomplete or bad ({@link
     *     io.emeth.worker.models.InvalidModelException})
     * @throws IOException when the key file, the master's node-info or Kafka cannot be reached
     */
    public static WorkerAgent start(WorkerConfig config, WorkerOptions options)
            throws IOException, InterruptedException {
        DeviceSelection.parse(config.device(), Integer.MAX_VALUE); // the value's syntax, at once
        // before any connection: a broken model directory stops the worker here, naming the file
        ModelCatalog models = ModelCatalog.scan(config.modelsDir());
        JobContext.Models jobModels = jobModels(config, options);
        // libtorch and a first training step, then the tokenizers, while node-info and Kafka are
        // reached: a restarted worker's first round does not wait for a cold engine
        CompletableFuture<Device> engine =
                EngineWarmUp.start(config.device(), () -> loadTokenizers(models, jobModels));
        NodeIdentity identity = config.resolveIdentity();
        Connection connection =
                Connection.resolve(
                        config,
                        options.storageApi(),
                        options.topicPrefix(),
                        () ->
                                unlessEngineFails(
                                        engine,
                                        () ->
                                                new NodeInfoClient(options.nodeInfoPatience())
                                                        .fetch(config.masterNodeUrl())));
        log.info(
                "Starting worker [address:{}, pool:{}, device:{}, models:{}, kafka:{}, registry:{}, storage:{}, prefix:{}]",
                identity.address(),
                connection.pool(),
                config.device(),
                models.names(),
                connection.bootstrapServers(),
                connection.schemaRegistryUrl(),
                connection.storageApi(),
                connection.topicPrefix());
        Map<String, Object> kafka = new HashMap<>(connection.kafkaProperties());
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
        Map<String, Object> serde = new HashMap<>(kafka);
        serde.put(SerdeConfig.REGISTRY_URL, connection.schemaRegistryUrl().toString());
        Topics topics = Topics.create(SerdeConfig.fromMap(serde), connection.topicPrefix());

        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            PrometheusMeterRegistry registry = MetricsServer.newRegistry("worker");
            WorkerMetrics meters = new WorkerMetrics(registry);
            StatusBoard board = new StatusBoard();
            EventPublisher publisher =
                    new EventPublisher(kafka, topics, "emeth-worker-" + identity.address());
            opened.push(publisher);
            StorageClient storage =
                    StorageClient.builder(connection.storageApi(), identity).build();
            Device device = selected(engine);
            JobContext ctx =
                    JobContext.create(
                                    identity,
                                    storage,
                                    publisher,
                                    topics,
                                    kafka,
                                    device,
                                    config.timeouts(),
                                    config.dataDir(),
                                    board,
                                    meters)
                            .withModels(jobModels)
                            .withMaxUpdateNormMultiple(config.maxUpdateNormMultiple());
            JobSupervisor supervisor = new JobSupervisor(ctx);
            opened.push(supervisor);
            WorkerAgent[] self = new WorkerAgent[1];
            AssignmentReader reader =
                    new AssignmentReader(
                            kafka,
                            topics.workerAssignments(),
                            connection.topicPrefix(),
                            identity.address(),
                            supervisor,
                            error -> self[0].fatal(error));
            opened.push(reader);
            reader.position();
            Presence presence =
                    new Presence(
                            publisher,
                            new WorkerEvents(identity, connection.pool(), Clock.systemUTC()),
                            board,
                            new Presence.Declaration(
                                    config.powerCapacity(),
                                    config.device(),
                                    config.myUrl().map(URI::toString).orElse(""),
                                    models.names()),
                            config.heartbeatInterval(),
                            options.registrationRefresh(),
                            kafka,
                            topics.workerStatus());
            opened.push(presence);
            MetricsServer server =
                    options.metrics().isEmpty()
                            ? null
                            : MetricsServer.start(
                                    options.metrics().get().getHostString(),
                                    options.metrics().get().getPort(),
                                    registry,
                                    health(
                                            publisher,
                                            reader,
                                            presence,
                                            config.heartbeatInterval()));
            WorkerAgent agent =
                    new WorkerAgent(
                            identity.address(),
                            board,
                            reader,
                            supervisor,
                            presence,
                            publisher,
                            server);
            self[0] = agent;
            reader.start();
            presence.start();
            log.info("Worker started [address:{}, pool:{}]", identity.address(), connection.pool());
            return agent;
        } catch (RuntimeException | InterruptedException e) {
            while (!opened.isEmpty()) {
                closeQuietly(opened.pop());
            }
            throw e;
        }
    }

    /**
     * The pretrained models jobs fine-tune: the launcher's, else the config's {@code models_dir}
     * read with the HF tokenizer loader and the recipe of its {@code fine_tuning} section.
     */
    static JobContext.Models jobModels(WorkerConfig config, WorkerOptions options) {
        return options.models()
                .orElseGet(
                        () ->
                                new JobContext.Models(
                                        config.modelsDir(),
                                        HfTokenizers.LOADER,
                                        TrainingRecipe.fineTuning(config.fineTuning())));
    }

    /** The engine's device; rethrows the warm-up's error (e.g. {@code device: cuda}, no GPU). */
    /**
     * Fetches node-info on a thread of its own and waits for it or for the engine to fail,
     * whichever comes first: a device that is not there ({@code device: cuda} without a GPU) stops
     * the worker at once, naming the key, instead of after node-info's patience runs out.
     */
    private static NodeInfo unlessEngineFails(
            CompletableFuture<Device> engine, Connection.NodeInfoSource source)
            throws IOException, InterruptedException {
        CompletableFuture<NodeInfo> info = new CompletableFuture<>();
        Thread fetcher =
                new Thread(
                        () -> {
                            try {
                                info.complete(source.fetch());
                            } catch (Throwable e) {
                                info.completeExceptionally(e);
                            }
                        },
                        "worker-node-info");
        fetcher.setDaemon(true);
        fetcher.start();
        CompletableFuture<Void> engineFailed = new CompletableFuture<>();
        engine.whenComplete(
                (device, error) -> {
                    if (error != null) {
                        engineFailed.complete(null);
                    }
                });
        try {
            CompletableFuture.anyOf(info, engineFailed).get();
        } catch (ExecutionException e) {
            // node-info failed: reported below
        } catch (InterruptedException e) {
            fetcher.interrupt();
            throw e;
        }
        if (engine.isCompletedExceptionally()) {
            fetcher.interrupt();
            selected(engine); // throws the engine's error
        }
        try {
            return info.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException cause) {
                throw cause;
            }
            if (e.getCause() instanceof InterruptedException cause) {
                throw cause;
            }
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IOException("node-info could not be fetched", e.getCause());
        }
    }

    private static Device selected(CompletableFuture<Device> engine) throws InterruptedException {
        try {
            return engine.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("the PyTorch engine did not load", e.getCause());
        }
    }

    /** Loads each held model's tokenizer once, so that a job on it finds it ready. */
    private static void loadTokenizers(ModelCatalog models, JobContext.Models jobModels) {
        if (jobModels.dir() == null || jobModels.tokenizers() == null) {
            return;
        }
        for (String name : models.names()) {
            try {
                jobModels.tokenizers().load(jobModels.dir().resolve(name));
            } catch (IOException | RuntimeException e) {
                log.debug("Tokenizer not preloaded [model:{}, error:{}]", name, e.toString());
            }
        }
    }

    private static Map<String, Supplier<Boolean>> health(
            EventPublisher publisher,
            AssignmentReader reader,
            Presence presence,
            Duration interval) {
        long stale = Math.max(3 * interval.toMillis(), 15_000);
        Map<String, Supplier<Boolean>> checks = new LinkedHashMap<>();
        checks.put("kafka", publisher::healthy);
        checks.put("assignments", () -> reader.alive(30_000));
        checks.put(
                "heartbeat",
                () -> System.currentTimeMillis() - presence.lastHeartbeatMs() <= stale);
        return checks;
    }

    /** The worker's checksummed address. */
    public String address() {
        return address;
    }

    /** What the worker's heartbeats report right now. */
    public StatusSnapshot status() {
        return board.snapshot();
    }

    /** The port of {@code /metrics} and {@code /health}, when served. */
    public Optional<Integer> metricsPort() {
        return Optional.ofNullable(metrics).map(MetricsServer::port);
    }

    /** The error that stopped the worker, if one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Waits until the worker stopped. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Waits at most {@code timeout}; whether the worker stopped. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void fatal(Throwable error) {
        failure = error;
        log.error("Worker stopping after a fatal error [address:{}]", address, error);
        Thread stopper = new Thread(this::close, "worker-stop-" + address.substring(0, 10));
        stopper.setDaemon(true);
        stopper.start();
    }

    /**
     * Stops the worker: commits what it handled, stops the running job (its state stays on disk so
     * a restart resumes it), says {@code WorkerLeft} unless a job was running, and closes the
     * clients.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        boolean midJob = supervisor.jobActive();
        // the job first, so training stops at once; its assignment stays uncommitted either way
        closeQuietly(supervisor);
        closeQuietly(reader);
        try {
            presence.close(!midJob);
        } catch (RuntimeException e) {
            log.warn("Closing presence failed [error:{}]", e.toString());
        }
        closeQuietly(publisher);
        if (metrics != null) {
            closeQuietly(metrics);
        }
        log.info("Worker stopped [address:{}, midJob:{}]", address, midJob);
        terminated.countDown();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn(
                    "Closing {} failed [error:{}]",
                    closeable.getClass().getSimpleName(),
                    e.toString());
        }
    }
}
