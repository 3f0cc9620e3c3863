package io.emeth.worker.training;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.emeth.worker.weights.ModelWeights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Trains a {@link LanguageModel} on one worker's shard, one epoch at a time, and evaluates it.
 *
 * <p>Consumes the shard's token ids and, per round, the global model's weights; produces an {@link
 * EpochResult} (loss, tokens, duration) for {@code ShardTrained} and a live {@link #progress()} for
 * heartbeats. The AdamW state lives as long as this trainer, across rounds: the inner optimiser of
 * DiLoCo keeps its moments while the outer step replaces the weights. The learning rate follows the
 * {@link TrainingRecipe}'s schedule over the job's epochs; dropout masks are drawn from a seed of
 * (recipe seed, rank, epoch), so ranks differ and a replayed epoch draws the same masks.
 */
public final class ShardTrainer implements AutoCloseable {

    private final LanguageModel model;
    private final TrainingRecipe recipe;
    private final int epochs;
    private final int rank;
    private final ScheduledAdamW optimizer;
    private final Trainer trainer;
    private final List<NDArray> parameterArrays = new ArrayList<>();
    private final List<String> parameterIds = new ArrayList<>();
    private final AtomicReference<TrainingProgress> progress =
            new AtomicReference<>(TrainingProgress.IDLE);
    private volatile boolean canceled;

    /** The byte-level fixture with its own config's recipe (constant learning rate). */
    public ShardTrainer(GptModel model) {
        this(model, model.config().recipe(), 1, 0);
    }

    /**
     * @param epochs the job's epochs (the length of the learning-rate schedule)
     * @param rank this worker's rank (seeds its dropout)
     * @throws IllegalArgumentException if the recipe's sequences are longer than the model reads
     */
    public ShardTrainer(LanguageModel model, TrainingRecipe recipe, int epochs, int rank) {
        if (recipe.contextLength() > model.maxSequence()) {
            throw new IllegalArgumentException(
                    "contextLength "
                            + recipe.contextLength()
                            + " exceeds the model's longest sequence "
                            + model.maxSequence());
        }
        this.model = model;
        this.recipe = recipe;
        this.epochs = Math.max(1, epochs);
        this.rank = rank;
        Set<String> decayed = new HashSet<>();
        for (Pair<String, Parameter> p : model.namedParameters()) {
            parameterArrays.add(p.getValue().getArray());
            parameterIds.add(p.getValue().getId());
            if (model.decays(p.getKey())) {
                decayed.add(p.getValue().getId());
            }
        }
        this.optimizer = new ScheduledAdamW(decayed, recipe.weightDecay());
        // The loss here only satisfies DJL's Trainer (used for its forward pass and parameter
        // store); crossEntropy and update() below are what train.
        DefaultTrainingConfig trainingConfig =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(optimizer)
                        .optDevices(new ai.djl.Device[] {model.device()});
        this.trainer = model.djlModel().newTrainer(trainingConfig);
    }

    /** Loads the round's global model (in place) and trains one epoch over {@code tokens}. */
    public EpochResult trainEpoch(ModelWeights globalModel, int[] tokens, long epoch) {
        model.load(globalModel);
        return train(tokens, epoch, Integer.MAX_VALUE);
    }

    /**
     * Loads the round's global model from {@code globalModel} one tensor at a time (in place) and
     * trains one epoch over {@code tokens}.
     */
    public EpochResult trainEpoch(
            io.emeth.worker.weights.TensorSource globalModel, int[] tokens, long epoch)
            throws java.io.IOException {
        model.load(globalModel);
        return train(tokens, epoch, Integer.MAX_VALUE);
    }

    /** As {@link #trainEpoch(ModelWeights, int[], long)} over byte tokens. */
    public EpochResult trainEpoch(ModelWeights globalModel, byte[] shard, long epoch) {
        return trainEpoch(globalModel, TokenEncoder.ofBytes(shard), epoch);
    }

    /** Trains one epoch over byte tokens from the model's current weights. */
    public EpochResult trainEpoch(byte[] shard, long epoch) {
        return train(TokenEncoder.ofBytes(shard), epoch, Integer.MAX_VALUE);
    }

    /** As {@link #train(int[], long, int)} over byte tokens. */
    public EpochResult train(byte[] shard, long epoch, int maxBatches) {
        return train(TokenEncoder.ofBytes(shard), epoch, maxBatches);
    }

    /**
     * Trains at most {@code maxBatches} steps of epoch {@code epoch} over {@code tokens}.
     *
     * @throws IllegalArgumentException if there are fewer than {@code contextLength + 1} tokens
     * @throws CancellationException if {@link #cancel()} was called or the thread interrupted
     * @throws IllegalStateException if the loss becomes NaN or infinite
     */
    public EpochResult train(int[] tokens, long epoch, int maxBatches) {
        TokenBatcher batcher = new TokenBatcher(tokens, recipe.contextLength(), recipe.batchSize());
        List<TokenBatcher.Batch> batches = batcher.epoch(recipe.seed(), epoch);
        int total = Math.min(maxBatches, batches.size());
        long totalSteps = (long) epochs * batches.size();
        long firstStep = Math.max(0, (epoch - 1) * batches.size());
        progress.set(new TrainingProgress(epoch, 0, total, 0, Double.NaN));
        TorchEngine.locked(
                () -> {
                    TorchEngine.get().setRandomSeed(dropoutSeed(epoch));
                    return null;
                });
        long started = System.nanoTime();
        double lossSum = 0;
        long trained = 0;
        for (int i = 0; i < total; i++) {
            if (canceled || Thread.currentThread().isInterrupted()) {
                throw new CancellationException(
                        String.format(
                                "training of epoch %d canceled after %d of %d batches",
                                epoch, i, total));
            }
            TokenBatcher.Batch batch = batches.get(i);
            float rate = recipe.learningRate(firstStep + i, totalSteps);
            double loss = step(batch, epoch, i, rate);
            lossSum += loss * batch.tokens();
            trained += batch.tokens();
            progress.set(new TrainingProgress(epoch, i + 1, total, trained, loss));
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        return new EpochResult(
                epoch, trained == 0 ? Double.NaN : lossSum / trained, trained, total, duration);
    }

    /** The engine seed of an epoch's dropout masks: differs per rank and per epoch. */
    private int dropoutSeed(long epoch) {
        long mixed = recipe.seed() * 0x9E3779B97F4A7C15L + rank * 0xBF58476D1CE4E5B9L + epoch;
        return (int) (mixed ^ (mixed >>> 32)) & Integer.MAX_VALUE;
    }

    /**
     * Mean next-token cross-entropy (nats per token) of the model on {@code validation}, read in
     * order; windows are shortened when the text is shorter than the context.
     */
    public double evaluate(int[] validation) {
        return evaluate(validation, Integer.MAX_VALUE);
    }

    /** As {@link #evaluate(int[])} over byte tokens. */
    public double evaluate(byte[] validation) {
        return evaluate(TokenEncoder.ofBytes(validation), Integer.MAX_VALUE);
    }

    /** As {@link #evaluate(int[])} over byte tokens and at most {@code maxBatches} batches. */
    public double evaluate(byte[] validation, int maxBatches) {
        return evaluate(TokenEncoder.ofBytes(validation), maxBatches);
    }

    /** As {@link #evaluate(int[])} over at most {@code maxBatches} batches. */
    public double evaluate(int[] validation, int maxBatches) {
        if (validation.length < 2) {
            throw new IllegalArgumentException(
                    "validation text has " + validation.length + " tokens; at least 2 are needed");
        }
        int context = Math.min(recipe.contextLength(), validation.length - 1);
        List<TokenBatcher.Batch> batches =
                new TokenBatcher(validation, context, recipe.batchSize()).sequential();
        double lossSum = 0;
        long tokens = 0;
        for (int i = 0; i < Math.min(maxBatches, batches.size()); i++) {
            TokenBatcher.Batch batch = batches.get(i);
            lossSum += evaluateBatch(batch) * batch.tokens();
            tokens += batch.tokens();
        }
        return lossSum / tokens;
    }

    /** The progress of the running (or last) epoch; safe to call from any thread. */
    public TrainingProgress progress() {
        return progress.get();
    }

    /** Makes the running epoch stop before its next batch with a {@link CancellationException}. */
    public void cancel() {
        canceled = true;
    }

    /** The model this trainer trains. */
    public LanguageModel model() {
        return model;
    }

    private double step(TokenBatcher.Batch batch, long epoch, int index, float rate) {
        return TorchEngine.locked(
                () -> {
                    optimizer.learningRate(rate);
                    return stepLocked(batch, epoch, index);
                });
    }

    /**
     * Forward, loss, backward, global-norm clipping and the AdamW step of one batch. The step's
     * arrays (inputs, logits, the graph's outputs) are freed as soon as backward is done, before
     * the optimiser's own temporaries exist, and each gradient once its parameter is updated:
     * neither is resident during the next forward pass.
     */
    private double stepLocked(TokenBatcher.Batch batch, long epoch, int index) {
        Model djl = model.djlModel();
        float loss;
        try (NDManager manager = djl.getNDManager().newSubManager(model.device());
                GradientCollector collector = trainer.newGradientCollector()) {
            NDArray inputs = array(manager, batch.inputs(), batch);
            NDArray targets = array(manager, batch.targets(), batch);
            NDArray logits = trainer.forward(new NDList(inputs)).head();
            NDArray lossArray = crossEntropy(logits, targets);
            collector.backward(lossArray);
            loss = lossArray.getFloat();
        }
        if (!Float.isFinite(loss)) {
            throw new IllegalStateException(
                    String.format(
                            "training diverged: loss is %s at epoch %d batch %d;"
                                    + " lower learningRate or gradClip",
                            loss, epoch, index));
        }
        GlobalNormClipper.clip(parameterArrays, recipe.gradClip());
        update();
        return loss;
    }

    /**
     * The AdamW step over every parameter, each gradient freed as soon as its parameter is updated
     * ({@link Gradients#release}). This is DJL's {@code Trainer.step()} without its copy of each
     * gradient (its parameter server duplicates a gradient before handing it to the optimiser, and
     * the engine's update copies it again).
     */
    private void update() {
        for (int i = 0; i < parameterArrays.size(); i++) {
            NDArray parameter = parameterArrays.get(i);
            try (NDArray gradient = parameter.getGradient()) {
                optimizer.update(parameterIds.get(i), parameter, gradient);
            }
            Gradients.release(parameter);
        }
    }

    private double evaluateBatch(TokenBatcher.Batch batch) {
        return TorchEngine.locked(
                () -> {
                    try (NDManager manager =
                            model.djlModel().getNDManager().newSubManager(model.device())) {
                        NDArray logits =
                                trainer.evaluate(new NDList(array(manager, batch.inputs(), batch)))
                                        .head();
                        return (double)
                                crossEntropy(logits, array(manager, batch.targets(), batch))
                                        .getFloat();
                    }
                });
    }

    private static NDArray array(NDManager manager, long[] values, TokenBatcher.Batch batch) {
        return manager.create(values, new Shape(batch.rows(), batch.columns()));
    }

    /** Mean cross-entropy of logits {@code (B, T, V)} against target ids {@code (B, T)}. */
    static NDArray crossEntropy(NDArray logits, NDArray targets) {
        long vocab = logits.getShape().get(2);
        NDArray logProbabilities = logits.reshape(-1, vocab).logSoftmax(1);
        return logProbabilities.gather(targets.reshape(-1, 1), 1).neg().mean();
    }

    @Override
    public void close() {
        TorchEngine.locked(
                () -> {
                    trainer.close();
                    return null;
                });
    }
}
