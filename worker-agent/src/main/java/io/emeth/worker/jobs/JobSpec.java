package io.emeth.worker.jobs;

import io.emeth.common.config.WorkerTimeouts;
import io.emeth.common.eth.Addresses;
import io.emeth.schemas.avro.worker.AggregationConfig;
import io.emeth.schemas.avro.worker.AggregationMethod;
import io.emeth.schemas.avro.worker.ModelConfig;
import io.emeth.schemas.avro.worker.PhaseTimeouts;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.worker.averaging.ModelAveraging;
import io.emeth.worker.data.DataSplit;
import io.emeth.worker.data.Language;
import io.emeth.worker.hashchain.HashChain;
import io.emeth.worker.training.GptConfig;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A validated {@code TrainingAssigned}: what this worker trains for one job attempt. Built once
 * when the assignment arrives; a value the worker cannot honour is refused with an error naming the
 * field, so the job fails with a clear {@code TrainingFailed} instead of deep inside training.
 *
 * @param jobId the job id as the master wrote it (also the key of the job's training events)
 * @param attempt the attempt
 * @param rank this worker's rank
 * @param worldSize number of workers of the job
 * @param workers the job's workers in rank order (checksummed; empty when the master sent none)
 * @param aggregator the assignment's aggregator (a round may name another)
 * @param datasetName the data set's name in the storage API
 * @param datasetSizeBytes its size as the master knows it (0 when unknown)
 * @param datasetSha256 its sha256 (lower-case hex) when the master knows it
 * @param epochs the number of rounds
 * @param model the byte-level fixture to build when {@code modelName} is empty (the same on every
 *     worker of the job); for a pretrained model only its batch size and seed apply
 * @param language the data set's language (how it is split)
 * @param aggregation how rank 0 combines the shards
 * @param limits the phase timeouts this worker applies
 * @param assignedAtMs the assignment record's timestamp
 * @param modelName the pretrained checkpoint to fine-tune (a directory of the worker's models_dir),
 *     or empty for the byte-level fixture
 */
public record JobSpec(
        String jobId,
        int attempt,
        int rank,
        int worldSize,
        List<String> workers,
        String aggregator,
        String datasetName,
        long datasetSizeBytes,
        Optional<String> datasetSha256,
        int epochs,
        GptConfig model,
        Language language,
        AggregationConfig aggregation,
        PhaseLimits limits,
        long assignedAtMs,
        Optional<String> modelName) {

    /** Most epochs a job may ask for. */
    public static final int MAX_EPOCHS = 10_000;

    /** Largest model a worker builds: WeightsCodec's 2 GiB encoding limit, with a margin. */
    public static final long MAX_PARAMETERS = 500_000_000L;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    /** A model name is one directory name: no separators, no "..". */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final int MLP_RATIO = 4;

    /**
     * Timeouts per phase in milliseconds: for each, the stricter of the worker's config and the
     * assignment's (the master drops a worker past its own limit anyway).
     */
    public record PhaseLimits(long waitDataMs, long idleMs, long learningMs, long checkpointMs) {}

    /** A value of the assignment the worker cannot honour. */
    public static final class InvalidAssignmentException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidAssignmentException(String message) {
            super(message);
        }
    }

    /**
     * @param worker this worker's checksummed address
     * @param local the worker's configured timeouts
     * @param recordTimestampMs the assignment record's timestamp
     * @throws InvalidAssignmentException naming the field and the accepted values
     */
    public static JobSpec from(
            WorkerAssignment assignment,
            TrainingAssigned t,
            String worker,
            WorkerTimeouts local,
            long recordTimestampMs) {
        String jobId = assignment.getJobId();
        try {
            HashChain.jobIdBytes(jobId);
        } catch (IllegalArgumentException e) {
            throw invalid("jobId", e.getMessage());
        }
        if (assignment.getAttempt() < 1) {
            throw invalid("attempt", "must be >= 1, was " + assignment.getAttempt());
        }
        if (t.getProgramId() != 0) {
            throw invalid(
                    "programId",
                    t.getProgramId()
                            + " is not supported; this worker runs program 0 (GPT training)");
        }
        range("worldSize", t.getWorldSize(), 1, DataSplit.MAX_WORKERS);
        range("rank", t.getRank(), 0, t.getWorldSize() - 1);
        range("epochs", t.getEpochs(), 1, MAX_EPOCHS);
        checkWorkers(t.getWorkers(), t.getWorldSize(), t.getRank(), worker);
        if (!Addresses.isValid(t.getAggregator())) {
            throw invalid("aggregator", "is not an address: '" + clip(t.getAggregator()) + "'");
        }
        String dataset = t.getDataset().getName();
        if (dataset == null
                || dataset.isBlank()
                || dataset.length() > 256
                || dataset.chars().anyMatch(Character::isISOControl)) {
            throw invalid(
                    "dataset.name",
                    "must be 1..256 printable characters, was '" + clip(dataset) + "'");
        }
        String sha = t.getDataset().getSha256();
        if (sha != null && !SHA256.matcher(sha).matches()) {
            throw invalid("dataset.sha256", "must be 64 hex characters, was '" + clip(sha) + "'");
        }
        Language language;
        try {
            language = Language.fromParam(t.getLanguage());
        } catch (IllegalArgumentException e) {
            throw invalid("language", e.getMessage());
        }
        Optional<String> modelName = Optional.ofNullable(t.getModelName());
        if (modelName.isPresent()
                && (!MODEL_NAME.matcher(modelName.get()).matches()
                        || modelName.get().contains(".."))) {
            throw invalid(
                    "modelName",
                    "must be a directory name (letters, digits, '.', '_', '-'), was '"
                            + clip(modelName.get())
                            + "'");
        }
        GptConfig model =
                modelName.isPresent()
                        ? pretrainedFixture(t.getModel(), t.getBatchSize())
                        : model(t.getModel(), t.getBatchSize());
        checkAggregation(t.getAggregation());
        return new JobSpec(
                jobId,
                assignment.getAttempt(),
                t.getRank(),
                t.getWorldSize(),
                t.getWorkers().stream().map(Addresses::checksummed).toList(),
                Addresses.checksummed(t.getAggregator()),
                dataset,
                Math.max(0, t.getDataset().getSizeBytes()),
                Optional.ofNullable(sha).map(s -> s.toLowerCase(Locale.ROOT)),
                t.getEpochs(),
                model,
                language,
                t.getAggregation(),
                limits(local, t.getTimeouts()),
                recordTimestampMs,
                modelName);
    }

    /** Whether rounds use the DiLoCo outer optimiser. */
    public boolean diloco() {
        return aggregation.getMethod() == AggregationMethod.DILOCO;
    }

    static GptConfig model(ModelConfig m, int batchSize) {
        if (m.getVocabSize() != GptConfig.BYTE_VOCAB) {
            throw invalid(
                    "model.vocabSize", "must be 256 (byte-level tokens), was " + m.getVocabSize());
        }
        range("batchSize", batchSize, 1, 65_536);
        GptConfig config;
        try {
            config =
                    new GptConfig(
                            m.getVocabSize(),
                            m.getContextLength(),
                            m.getEmbeddingDim(),
                            m.getHeads(),
                            m.getLayers(),
                            MLP_RATIO,
                            (float) m.getDropout(),
                            (float) m.getLearningRate(),
                            (float) m.getWeightDecay(),
                            (float) m.getGradientClip(),
                            batchSize,
                            m.getSeed());
        } catch (IllegalArgumentException e) {
            throw invalid("model", e.getMessage().replace("GptConfig.", "model."));
        }
        if (config.parameterCount() > MAX_PARAMETERS) {
            throw invalid(
                    "model",
                    "has "
                            + config.parameterCount()
                            + " parameters; this worker builds at most "
                            + MAX_PARAMETERS);
        }
        return config;
    }

    /**
     * For a pretrained model the checkpoint fixes the architecture and the worker's recipe the
     * optimiser; of the assignment's model config only the batch size and the seed apply.
     */
    private static GptConfig pretrainedFixture(ModelConfig m, int batchSize) {
        range("batchSize", batchSize, 1, 65_536);
        return GptConfig.tiny().withBatchSize(batchSize).withSeed(m.getSeed());
    }

    private static void checkAggregation(AggregationConfig a) {
        if (a.getMethod() == AggregationMethod.DILOCO) {
            try {
                ModelAveraging.diloco(a.getOuterLearningRate(), a.getOuterMomentum());
            } catch (IllegalArgumentException e) {
                throw invalid("aggregation", e.getMessage());
            }
        }
    }

    private static void checkWorkers(List<String> workers, int worldSize, int rank, String worker) {
        if (workers.isEmpty()) {
            return;
        }
        for (String address : workers) {
            if (!Addresses.isValid(address)) {
                throw invalid("workers", "holds '" + clip(address) + "', which is not an address");
            }
        }
        if (workers.size() != worldSize) {
            throw invalid(
                    "workers", "lists " + workers.size() + " addresses for worldSize " + worldSize);
        }
        if (!worker.equalsIgnoreCase(workers.get(rank))) {
            throw invalid(
                    "workers",
                    "puts "
                            + clip(workers.get(rank))
                            + " at rank "
                            + rank
                            + ", not this worker "
                            + worker);
        }
    }

    private static PhaseLimits limits(WorkerTimeouts local, PhaseTimeouts assigned) {
        return new PhaseLimits(
                stricter(local.waitData().toMillis(), assigned.getWaitDataMs()),
                stricter(local.idle().toMillis(), assigned.getIdleMs()),
                stricter(local.learning().toMillis(), assigned.getLearningMs()),
                stricter(local.checkpoint().toMillis(), assigned.getCheckpointMs()));
    }

    private static long stricter(long local, long assigned) {
        return assigned > 0 ? Math.min(local, assigned) : local;
    }

    private static void range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw invalid(field, "must be in [" + min + ", " + max + "], was " + value);
        }
    }

    private static InvalidAssignmentException invalid(String field, String problem) {
        return new InvalidAssignmentException("TrainingAssigned." + field + " " + problem);
    }

    private static String clip(String value) {
        if (value == null) {
            return "null";
        }
        String printable = value.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 60 ? printable : printable.substring(0, 60) + "…";
    }
}
