package io.emeth.worker;

import io.emeth.worker.jobs.JobContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the launcher may add to {@code config/worker.json} for {@link WorkerAgent#start}: none of it
 * is needed in production, where the master's node-info gives the storage API and topic prefix.
 *
 * @param storageApi the storage API, when the launcher knows it (else from node-info)
 * @param topicPrefix a topic prefix (test and dev stacks), else node-info's, else none
 * @param metrics where to serve {@code /metrics} and {@code /health}, or empty for no endpoint
 * @param registrationRefresh how often the worker registers again regardless (see ReRegistration)
 * @param nodeInfoPatience how long to wait for the master's node-info at start
 * @param models the pretrained checkpoints, their tokenizer loader and the fine-tuning recipe;
 *     empty (the default): the config's {@code models_dir}, the HF tokenizer loader and the recipe
 *     of its {@code fine_tuning} section; {@link JobContext.Models#NONE} runs only the byte-level
 *     fixture
 */
public record WorkerOptions(
        Optional<URI> storageApi,
        Optional<String> topicPrefix,
        Optional<InetSocketAddress> metrics,
        Duration registrationRefresh,
        Duration nodeInfoPatience,
        Optional<JobContext.Models> models) {

    public WorkerOptions {
        Objects.requireNonNull(storageApi, "storageApi");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(registrationRefresh, "registrationRefresh");
        Objects.requireNonNull(nodeInfoPatience, "nodeInfoPatience");
        Objects.requireNonNull(models, "models");
    }

    /**
     * Nothing overridden, no metrics endpoint, refresh every 5 minutes, wait 2 minutes for the
     * master.
     */
    public static WorkerOptions defaults() {
        return new WorkerOptions(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Duration.ofMinutes(5),
                Duration.ofMinutes(2),
                Optional.empty());
    }

    public WorkerOptions withStorageApi(URI value) {
        return new WorkerOptions(
                Optional.of(value),
                topicPrefix,
                metrics,
                registrationRefresh,
                nodeInfoPatience,
                models);
    }

    public WorkerOptions withTopicPrefix(String value) {
        return new WorkerOptions(
                storageApi,
                Optional.of(value),
                metrics,
                registrationRefresh,
                nodeInfoPatience,
                models);
    }

    /** Serve {@code /metrics} and {@code /health} on {@code host:port} (port 0: any free port). */
    public WorkerOptions withMetrics(String host, int port) {
        return new WorkerOptions(
                storageApi,
                topicPrefix,
                Optional.of(InetSocketAddress.createUnresolved(host, port)),
                registrationRefresh,
                nodeInfoPatience,
                models);
    }

    public WorkerOptions withRegistrationRefresh(Duration value) {
        return new WorkerOptions(storageApi, topicPrefix, metrics, value, nodeInfoPatience, models);
    }

    public WorkerOptions withNodeInfoPatience(Duration value) {
        return new WorkerOptions(
                storageApi, topicPrefix, metrics, registrationRefresh, value, models);
    }

    public WorkerOptions withModels(JobContext.Models value) {
        return new WorkerOptions(
                storageApi,
                topicPrefix,
                metrics,
                registrationRefresh,
                nodeInfoPatience,
                Optional.of(value));
    }
}
