package io.emeth.worker.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.optimizer.Optimizer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AdamW ({@code torch.optim.AdamW}: decoupled weight decay, bias-corrected moments) whose learning
 * rate the trainer sets before each step, and whose weight decay applies only to the parameters the
 * model names.
 *
 * <p>DJL's {@code AdamW} decays every parameter with one rate; GPT-2's recipe decays only the
 * matmul weights, not biases, LayerNorm gains or embeddings. The update itself is the engine's
 * fused {@code adamUpdate}, as in DJL's {@code AdamW}, applied to large parameters one block of
 * rows at a time: element-wise, so the same values, with temporaries of a block's size instead of
 * the parameter's.
 */
final class ScheduledAdamW extends Optimizer {

    /** Values per block of a large parameter's update (4 MB of fp32). */
    static final long CHUNK_VALUES = 1L << 20;

    private final Set<String> decayedIds;
    private final float weightDecay;
    private final float beta1 = 0.9f;
    private final float beta2 = 0.999f;
    private final float epsilon = 1e-8f;
    private final Map<String, Map<Device, NDArray>> means = new ConcurrentHashMap<>();
    private final Map<String, Map<Device, NDArray>> variances = new ConcurrentHashMap<>();
    private final long chunkValues;
    private volatile float learningRate;

    /**
     * @param decayedIds DJL ids of the parameters weight decay applies to
     */
    ScheduledAdamW(Set<String> decayedIds, float weightDecay) {
        this(decayedIds, weightDecay, CHUNK_VALUES);
    }

    /**
     * @param chunkValues parameters larger than this are updated in blocks of rows of about this
     *     many values
     */
    ScheduledAdamW(Set<String> decayedIds, float weightDecay, long chunkValues) {
        super(new Builder());
        this.decayedIds = Set.copyOf(decayedIds);
        this.weightDecay = weightDecay;
        this.chunkValues = chunkValues;
    }

    /** The learning rate of the next {@code step()}. */
    void learningRate(float rate) {
        this.learningRate = rate;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int t = updateCount(parameterId);
        double coef1 = 1.0 - Math.pow(beta1, t);
        double coef2 = 1.0 - Math.pow(beta2, t);
        float rate = learningRate;
        float biasCorrected = (float) (rate * Math.sqrt(coef2) / coef1);
        float decay = decayedIds.contains(parameterId) ? weightDecay : 0f;
        NDArray mean = withDefaultState(means, parameterId, weight.getDevice(), k -> zeros(weight));
        NDArray variance =
                withDefaultState(variances, parameterId, weight.getDevice(), k -> zeros(weight));
        long rows = weight.getShape().dimension() == 0 ? 1 : weight.getShape().get(0);
        long chunkRows = Math.max(1, chunkValues / Math.max(1, weight.size() / rows));
        if (rows <= chunkRows) {
            adamUpdate(weight, grad, mean, variance, rate, biasCorrected, decay);
            return;
        }
        // the engine's update makes about six temporaries of its input's size (a copy of the
        // gradient, the decay term, the step's numerator and denominator): over the whole of
        // GPT-2's 206 MB token embedding that is 1.2 GB at once; the same element-wise update
        // over views of row blocks needs a few MB
        for (long start = 0; start < rows; start += chunkRows) {
            NDIndex block = new NDIndex("{}:{}", start, Math.min(rows, start + chunkRows));
            try (NDArray w = weight.get(block);
                    NDArray g = grad.get(block);
                    NDArray m = mean.get(block);
                    NDArray v = variance.get(block)) {
                adamUpdate(w, g, m, v, rate, biasCorrected, decay);
            }
        }
    }

    private void adamUpdate(
            NDArray weight,
            NDArray grad,
            NDArray mean,
            NDArray variance,
            float rate,
            float biasCorrected,
            float decay) {
        weight.getNDArrayInternal()
                .adamUpdate(
                        new NDList(weight, grad, mean, variance),
                        new NDList(weight),
                        rate,
                        biasCorrected,
                        decay,
                        rescaleGrad,
                        clipGrad,
                        beta1,
                        beta2,
                        epsilon,
                        true,
                        true);
    }

    private static NDArray zeros(NDArray like) {
        return like.zerosLike();
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
