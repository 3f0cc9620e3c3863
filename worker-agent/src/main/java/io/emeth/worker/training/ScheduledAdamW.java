package io.emeth.worker.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
 * fused {@code adamUpdate}, as in DJL's {@code AdamW}.
 */
final class ScheduledAdamW extends Optimizer {

    private final Set<String> decayedIds;
    private final float weightDecay;
    private final float beta1 = 0.9f;
    private final float beta2 = 0.999f;
    private final float epsilon = 1e-8f;
    private final Map<String, Map<Device, NDArray>> means = new ConcurrentHashMap<>();
    private final Map<String, Map<Device, NDArray>> variances = new ConcurrentHashMap<>();
    private volatile float learningRate;

    /**
     * @param decayedIds DJL ids of the parameters weight decay applies to
     */
    ScheduledAdamW(Set<String> decayedIds, float weightDecay) {
        super(new Builder());
        this.decayedIds = Set.copyOf(decayedIds);
        this.weightDecay = weightDecay;
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
        NDList inputs =
                new NDList(
                        weight,
                        grad,
                        withDefaultState(
                                means, parameterId, weight.getDevice(), k -> zeros(weight)),
                        withDefaultState(
                                variances, parameterId, weight.getDevice(), k -> zeros(weight)));
        weight.getNDArrayInternal()
                .adamUpdate(
                        inputs,
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
