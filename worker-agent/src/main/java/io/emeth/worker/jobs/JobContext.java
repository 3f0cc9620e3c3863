package io.emeth.worker.jobs;

import ai.djl.Device;
import io.emeth.common.config.WorkerTimeouts;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.Topics;
import io.emeth.worker.events.EventPublisher;
import io.emeth.worker.phases.StatusBoard;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What every job of this worker shares: its key, storage and Kafka clients, topics, device,
 * timeouts, data directory, status board and meters.
 *
 * @param identity the worker's key
 * @param storage the storage API's model and data set access
 * @param datasets fetches and splits data sets
 * @param publisher the worker's producer
 * @param topics the pipeline's topics
 * @param consumerProperties base Kafka consumer properties (bootstrap, TLS/SASL, registry)
 * @param device where models train
 * @param localTimeouts the worker's configured phase timeouts
 * @param jobsDir where job data, checkpoints and state live
 * @param board the status heartbeats report
 * @param clock the wall clock of events
 * @param metrics the worker's meters
 */
public record JobContext(
        NodeIdentity identity,
        ModelStore storage,
        DatasetFetcher datasets,
        EventPublisher publisher,
        Topics topics,
        Map<String, Object> consumerProperties,
        Device device,
        WorkerTimeouts localTimeouts,
        Path jobsDir,
        StatusBoard board,
        Clock clock,
        WorkerMetrics metrics) {

    public JobContext {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(datasets, "datasets");
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(topics, "topics");
        consumerProperties = Map.copyOf(consumerProperties);
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(localTimeouts, "localTimeouts");
        Objects.requireNonNull(jobsDir, "jobsDir");
        Objects.requireNonNull(board, "board");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** The worker's checksummed address. */
    public String address() {
        return identity.address();
    }

    /** A context for the worker at {@code dataDir} using {@code storage} for data and models. */
    public static JobContext create(
            NodeIdentity identity,
            io.emeth.common.storage.StorageClient storage,
            EventPublisher publisher,
            Topics topics,
            Map<String, Object> consumerProperties,
            Device device,
            WorkerTimeouts localTimeouts,
            Path dataDir,
            StatusBoard board,
            WorkerMetrics metrics) {
        return new JobContext(
                identity,
                new ModelStore(storage),
                new DatasetFetcher(
                        storage, io.emeth.worker.data.DataSplit.DEFAULT_MAX_DATASET_BYTES),
                publisher,
                topics,
                consumerProperties,
                device,
                localTimeouts,
                dataDir.resolve("jobs"),
                board,
                Clock.systemUTC(),
                metrics);
    }
}
