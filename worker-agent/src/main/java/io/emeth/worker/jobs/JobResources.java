package io.emeth.worker.jobs;

import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.worker.events.TrainingEvents;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.jobs.DatasetFetcher.PreparedData;
import io.emeth.worker.training.GptModel;
import io.emeth.worker.training.LanguageModel;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.training.TokenEncoder;
import io.emeth.worker.training.TrainingRecipe;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.WeightsFile;
import io.emeth.worker.weights.WeightsLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a job holds while it runs, created when its data is ready and closed when it ends: the
 * prepared data and its token ids, the live model and its trainer (whose AdamW state lasts across
 * rounds), the model's layout, the on-disk state and the job's directories. The initial weights
 * (the pretrained checkpoint, or the fixture's seeded weights) are written once to {@code
 * initial.emwt} in the attempt's directory and read back from there, like every round's model:
 * GPT-2 medium's weights are 1.4 GB per copy, and the heap holds none of them whole. Used by the
 * job's thread only, except {@link #trainer()} which the watchdog reads for progress.
 */
final class JobResources implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobResources.class);

    /** How the job's steps report the phase they enter. */
    @FunctionalInterface
    interface Phases {
        /**
         * @param limitMs the phase's timeout; 0 for none
         */
        void enter(WorkerPhase phase, int epoch, String key, long limitMs, DoubleSupplier progress);
    }

    final JobContext ctx;
    final JobSpec spec;
    final TrainingEvents events;
    final Phases phases;
    final PreparedData data;
    final JobStore store;
    final LanguageModel model;
    final ShardTrainer trainer;

    /** The model's tensor names, order and shapes, which every download is checked against. */
    final WeightsLayout layout;

    final int[] shardTokens;
    final int[] validationTokens;

    /** The pretrained checkpoint's directory, or null for the byte-level fixture. */
    final Path modelDir;

    private WeightsFile initial;
    private String initialSha256;
    private final TokenEncoder encoder;
    private final int contextLength;
    private long[] plannedTokens;

    private JobResources(
            JobContext ctx,
            JobSpec spec,
            TrainingEvents events,
            Phases phases,
            PreparedData data,
            JobStore store,
            Loaded loaded) {
        this.ctx = ctx;
        this.spec = spec;
        this.events = events;
        this.phases = phases;
        this.data = data;
        this.store = store;
        this.model = loaded.model;
        this.trainer = loaded.trainer;
        this.shardTokens = loaded.shard;
        this.validationTokens = loaded.validation;
        this.modelDir = loaded.dir;
        this.encoder = loaded.encoder;
        this.contextLength = loaded.contextLength;
        this.layout = model.layout();
    }

    private record Loaded(
            LanguageModel model,
            ShardTrainer trainer,
            int[] shard,
            int[] validation,
            Path dir,
            TokenEncoder encoder,
            int contextLength) {}

    /** Downloads and splits the data, opens the state and builds the seeded model. */
    static JobResources prepare(JobContext ctx, JobSpec spec, TrainingEvents events, Phases phases)
            throws JobFailure, IOException, InterruptedException {
        Path jobDir = ctx.jobsDir().resolve(spec.jobId().toLowerCase(java.util.Locale.ROOT));
        PreparedData data = ctx.datasets().fetch(spec, jobDir);
        JobStore store =
                JobStore.open(
                        JobStore.attemptDir(ctx.jobsDir(), spec.jobId(), spec.attempt()),
                        spec.jobId(),
                        spec.attempt());
        Loaded loaded =
                spec.modelName().isPresent()
                        ? pretrained(ctx, spec, data)
                        : fixture(ctx, spec, data);
        JobResources job = new JobResources(ctx, spec, events, phases, data, store, loaded);
        try {
            job.writeInitial();
        } catch (IOException | RuntimeException e) {
            job.close();
            throw e;
        }
        return job;
    }

    /**
     * Writes the freshly loaded model to {@code initial.emwt} (streamed, one tensor at a time) and
     * keeps its sha256: round 1 starts from that file.
     */
    private void writeInitial() throws IOException {
        Path file = dir().resolve("initial.emwt");
        initialSha256 = ModelStore.write(model.tensors(), file);
        initial = WeightsFile.open(file, layout);
    }

    private static Loaded fixture(JobContext ctx, JobSpec spec, PreparedData data) {
        GptModel model = GptModel.create(spec.model(), ctx.device());
        try {
            return new Loaded(
                    model,
                    new ShardTrainer(model, spec.model().recipe(), spec.epochs(), spec.rank()),
                    TokenEncoder.ofBytes(data.shard()),
                    TokenEncoder.ofBytes(data.validation()),
                    null,
                    TokenEncoder.BYTES,
                    spec.model().recipe().contextLength());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Loads {@code models_dir/<modelName>} (config, weights, tokenizer) and tokenises the shard and
     * the validation split; a missing or corrupt directory fails the job naming file and tensor.
     */
    private static Loaded pretrained(JobContext ctx, JobSpec spec, PreparedData data)
            throws JobFailure {
        String name = spec.modelName().orElseThrow();
        JobContext.Models models = ctx.models();
        if (models.dir() == null) {
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA,
                    "job "
                            + spec.jobId()
                            + " fine-tunes '"
                            + name
                            + "' but this worker has no models_dir");
        }
        Path dir = models.dir().resolve(name);
        Gpt2Model.Checkpoint checkpoint;
        TokenEncoder tokenizer;
        try {
            checkpoint = Gpt2Model.checkpoint(dir);
            tokenizer = models.tokenizers().load(dir);
        } catch (IOException | IllegalArgumentException e) {
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA,
                    "job "
                            + spec.jobId()
                            + ": model '"
                            + name
                            + "' cannot be loaded: "
                            + e.getMessage(),
                    e);
        }
        TrainingRecipe recipe =
                models.recipe()
                        .withBatchSize(spec.model().batchSize())
                        .withSeed(spec.model().seed());
        if (recipe.contextLength() > checkpoint.config().positions()) {
            recipe = recipe.withContextLength(checkpoint.config().positions());
        }
        int[] shard = tokenizer.encode(new String(data.shard(), StandardCharsets.UTF_8));
        int[] validation = tokenizer.encode(new String(data.validation(), StandardCharsets.UTF_8));
        if (shard.length <= recipe.contextLength() || validation.length < 2) {
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA,
                    "job "
                            + spec.jobId()
                            + ": the shard of rank "
                            + spec.rank()
                            + " has "
                            + shard.length
                            + " tokens and the validation split "
                            + validation.length
                            + "; training needs more than "
                            + recipe.contextLength()
                            + " and at least 2");
        }
        log.info(
                "Model loaded [jobId:{}, model:{}, layers:{}, width:{}, vocab:{}, shardTokens:{}, validationTokens:{}, recipe:{}]",
                spec.jobId(),
                name,
                checkpoint.config().layers(),
                checkpoint.config().width(),
                checkpoint.config().vocabSize(),
                shard.length,
                validation.length,
                recipe);
        Gpt2Model model = Gpt2Model.create(checkpoint, recipe.dropout(), ctx.device());
        try {
            return new Loaded(
                    model,
                    new ShardTrainer(model, recipe, spec.epochs(), spec.rank()),
                    shard,
                    validation,
                    dir,
                    tokenizer,
                    recipe.contextLength());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The directory of this attempt's checkpoints, downloads and state. */
    Path dir() {
        return store.dir();
    }

    /** sha256 (hex) of the seeded initial weights' encoding. */
    String initialSha256() {
        return initialSha256;
    }

    /**
     * The file of the model round {@code epoch} starts from: the initial weights for epoch 1
     * without a global model, else the round's global model, downloaded and checked.
     */
    WeightsFile roundStart(int epoch, RoundOpened opened) throws JobFailure, InterruptedException {
        ModelRef ref = opened == null ? null : opened.getGlobalModel();
        if (ref == null) {
            if (epoch != 1) {
                throw new JobFailure(
                        WorkerPhase.WAIT_DATA,
                        "RoundOpened for epoch "
                                + epoch
                                + " carries no global model;"
                                + " only epoch 1 starts from the seeded initial weights");
            }
            return initial;
        }
        try {
            return ctx.storage().downloadFile(spec.jobId(), ref, layout, dir().resolve("models"));
        } catch (InvalidWeightsException e) {
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA,
                    "the global model of epoch " + epoch + " is refused: " + e.getMessage(),
                    e);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("global model download interrupted");
            }
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA,
                    "the global model of epoch "
                            + epoch
                            + " could not be downloaded: "
                            + e.getMessage(),
                    e);
        }
    }

    /** The sha256 (hex) of the model round {@code epoch} starts from. */
    String roundStartSha256(RoundOpened opened) {
        ModelRef ref = opened == null ? null : opened.getGlobalModel();
        return ref == null ? initialSha256() : ref.getSha256().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The tokens one epoch of rank {@code rank} trains on, as the plan (the data set's split, the
     * job's tokenizer and context) gives it: what the aggregator weighs that rank's shard by.
     * Tokenises every rank's shard on first use (the aggregator's thread only).
     */
    long plannedTokens(int rank) {
        if (plannedTokens == null) {
            plannedTokens = new long[data.shards().size()];
            for (int r = 0; r < plannedTokens.length; r++) {
                int tokens =
                        encoder == TokenEncoder.BYTES
                                ? data.shards().get(r).length
                                : encoder.encode(
                                                new String(
                                                        data.shards().get(r),
                                                        StandardCharsets.UTF_8))
                                        .length;
                plannedTokens[r] = RoundRules.plannedTokens(tokens, contextLength);
            }
        }
        return rank >= 0 && rank < plannedTokens.length ? plannedTokens[rank] : 0;
    }

    ShardTrainer trainer() {
        return trainer;
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
