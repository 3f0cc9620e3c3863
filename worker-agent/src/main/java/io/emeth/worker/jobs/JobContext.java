package io.emeth.worker.jobs;

import ai.djl.Device;
import io.emeth.common.config.WorkerTimeouts;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.Topics;
import io.emeth.worker.events.EventPublisher;
import io.emeth.worker.phases.StatusBoard;
import io.emeth.worker.training.TokenizerLoader;
import io.emeth.worker.training.TrainingRecipe;
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
 * @param models where pretrained checkpoints live, their tokenizers and the fine-tuning recipe
 * @param maxUpdateNormMultiple as aggregator, the largest update norm a shard may have, as a
 *     multiple of the round's median ({@code max_update_norm_multiple})
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
        WorkerMetrics metrics,
        Models models,
        double maxUpdateNormMultiple) {

    /**
     * The pretrained models a job names in {@code TrainingAssigned.modelName}.
     *
     * @param dir the worker's {@code models_dir}: one HF model directory per model name; null when
     *     the worker holds none
     * @param tokenizers loads a model directory's {@code tokenizer.json}
     * @param recipe how the worker fine-tunes (the assignment sets its batch size and seed)
     */
    public record Models(Path dir, TokenizerLoader tokenizers, TrainingRecipe recipe) {
        public Models {
            Objects.requireNonNull(tokenizers, "tokenizers");
            Objects.requireNonNull(recipe, "recipe");
        }

        /** No models: jobs of the byte-level fixture only. */
        public static final Models NONE =
                new Models(null, TokenizerLoader.NONE, TrainingRecipe.fineTuning());
    }

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
        Objects.requireNonNull(models, "models");
        RoundRules.requireMultiple(maxUpdateNormMultiple);
    }

    /** This context with {@code newModels}. */
    public JobContext withModels(Models newModels) {
        return new JobContext(
                identity,
                storage,
                datasets,
                publisher,
                topics,
                consumerProperties,
                device,
                localTimeouts,
                jobsDir,
                board,
                clock,
                metrics,
                newModels,
                maxUpdateNormMultiple);
    }

    /** This context with {@code multiple} as {@code max_update_norm_multiple}. */
    public JobContext withMaxUpdateNormMultiple(double multiple) {
        return new JobContext(
                identity,
                storage,
                datasets,
                publisher,
                topics,
                consumerProperties,
                device,
                localTimeouts,
                jobsDir,
                board,
                clock,
                metrics,
                models,
                multiple);
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
                metrics,
                Models.NONE,
                RoundRules.DEFAULT_MAX_UPDATE_NORM_MULTIPLE);
    }
}
