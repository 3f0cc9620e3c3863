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
import ai.djl.training.optimizer.AdamW;
import ai.djl.training.tracker.Tracker;
import io.emeth.worker.weights.ModelWeights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Trains a {@link GptModel} on one worker's shard, one epoch at a time, and evaluates it.
 *
 * <p>Consumes the shard's bytes (byte tokens) and, per round, the global model's weights; produces
 * an {@link EpochResult} (loss, tokens, duration) for {@code ShardTrained} and a live {@link
 * #progress()} for heartbeats. The AdamW state lives as long as this trainer, across rounds: the
 * inner optimiser of DiLoCo keeps its moments while the outer step replaces the weights.
 */
public final class ShardTrainer implements AutoCloseable {

    private final GptModel model;
    private final Trainer trainer;
    private final List<NDArray> parameterArrays = new ArrayList<>();
    private final AtomicReference<TrainingProgress> progress =
            new AtomicReference<>(TrainingProgress.IDLE);
    private volatile boolean canceled;

    public ShardTrainer(GptModel model) {
        this.model = model;
        GptConfig config = model.config();
        AdamW adamW =
                AdamW.builder()
                        .optLearningRateTracker(Tracker.fixed(config.learningRate()))
                        .optWeightDecays(config.weightDecay())
                        .build();
        // The loss here only satisfies DJL's Trainer; crossEntropy below is what trains.
        DefaultTrainingConfig trainingConfig =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(adamW)
                        .optDevices(new ai.djl.Device[] {model.device()});
        // Seeds dropout masks; PyTorch's generator is process-wide.
        TorchEngine.get().setRandomSeed((int) config.seed());
        this.trainer = model.djlModel().newTrainer(trainingConfig);
        for (Parameter parameter : model.parameters()) {
            parameterArrays.add(parameter.getArray());
        }
    }

    /** Loads the round's global model (in place) and trains one epoch over {@code shard}. */
    public EpochResult trainEpoch(ModelWeights globalModel, byte[] shard, long epoch) {
        model.load(globalModel);
        return trainEpoch(shard, epoch);
    }

    /** Trains one epoch over {@code shard} from the model's current weights. */
    public EpochResult trainEpoch(byte[] shard, long epoch) {
        return train(shard, epoch, Integer.MAX_VALUE);
    }

    /**
     * Trains at most {@code maxBatches} steps of epoch {@code epoch} over {@code shard}.
     *
     * @throws IllegalArgumentException if the shard is shorter than {@code contextLength + 1}
     * @throws CancellationException if {@link #cancel()} was called or the thread interrupted
     * @throws IllegalStateException if the loss becomes NaN or infinite
     */
    public EpochResult train(byte[] shard, long epoch, int maxBatches) {
        GptConfig config = model.config();
        TokenBatcher batcher = new TokenBatcher(shard, config.contextLength(), config.batchSize());
        List<TokenBatcher.Batch> batches = batcher.epoch(config.seed(), epoch);
        int total = Math.min(maxBatches, batches.size());
        progress.set(new TrainingProgress(epoch, 0, total, 0, Double.NaN));
        long started = System.nanoTime();
        double lossSum = 0;
        long tokens = 0;
        for (int i = 0; i < total; i++) {
            if (canceled || Thread.currentThread().isInterrupted()) {
                throw new CancellationException(
                        String.format(
                                "training of epoch %d canceled after %d of %d batches",
                                epoch, i, total));
            }
            TokenBatcher.Batch batch = batches.get(i);
            double loss = step(batch, epoch, i);
            lossSum += loss * batch.tokens();
            tokens += batch.tokens();
            progress.set(new TrainingProgress(epoch, i + 1, total, tokens, loss));
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        return new EpochResult(
                epoch, tokens == 0 ? Double.NaN : lossSum / tokens, tokens, total, duration);
    }

    /**
     * Mean next-token cross-entropy (nats per byte) of the model on {@code validation}, read in
     * order; windows are shortened when the text is shorter than the context.
     */
    public double evaluate(byte[] validation) {
        return evaluate(validation, Integer.MAX_VALUE);
    }

    /** As {@link #evaluate(byte[])} over at most {@code maxBatches} batches. */
    public double evaluate(byte[] validation, int maxBatches) {
        if (validation.length < 2) {
            throw new IllegalArgumentException(
                    "validation text has " + validation.length + " bytes; at least 2 are needed");
        }
        GptConfig config = model.config();
        int context = Math.min(config.contextLength(), validation.length - 1);
        List<TokenBatcher.Batch> batches =
                new TokenBatcher(validation, context, config.batchSize()).sequential();
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
    public GptModel model() {
        return model;
    }

    private double step(TokenBatcher.Batch batch, long epoch, int index) {
        return TorchEngine.locked(() -> stepLocked(batch, epoch, index));
    }

    /** Forward, loss, backward, global-norm clipping and the AdamW step of one batch. */
    private double stepLocked(TokenBatcher.Batch batch, long epoch, int index) {
        Model djl = model.djlModel();
        try (NDManager manager = djl.getNDManager().newSubManager(model.device())) {
            NDArray inputs = array(manager, batch.inputs(), batch);
            NDArray targets = array(manager, batch.targets(), batch);
            float loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
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
            GlobalNormClipper.clip(parameterArrays, model.config().gradClip());
            trainer.step();
            return loss;
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
