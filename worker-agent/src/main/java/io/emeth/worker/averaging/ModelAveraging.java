package io.emeth.worker.averaging;

import io.emeth.worker.training.GptModel;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rank-0 worker's round: checks the shards' weights, averages them weighted by the tokens each
 * trained on, applies the outer optimiser and writes the result into the global model.
 *
 * <p>The arithmetic runs in Java (double accumulation, shards summed in the order given — pass them
 * by rank), so the same shards always give the same bytes and sha256 on any machine.
 */
public final class ModelAveraging {

    private final OuterOptimizer outer;

    public ModelAveraging(OuterOptimizer outer) {
        this.outer = Objects.requireNonNull(outer, "outer");
    }

    /** The outer optimiser this averaging steps with. */
    public OuterOptimizer outer() {
        return outer;
    }

    /** Plain token-weighted averaging. */
    public static ModelAveraging plain() {
        return new ModelAveraging(OuterOptimizer.plainAveraging());
    }

    /** DiLoCo: Nesterov momentum on the averaged change, with the given outer settings. */
    public static ModelAveraging diloco(double outerLearningRate, double outerMomentum) {
        return new ModelAveraging(
                new NesterovOuterOptimizer(outerLearningRate, outerMomentum, null));
    }

    /**
     * Averages the shards into the live global model, in place (its arrays stay, so a trainer on it
     * keeps working), and returns the new global weights.
     *
     * @throws InvalidShardException for the first shard that must not be averaged
     */
    public ModelWeights aggregateInto(GptModel global, List<ShardUpdate> shards) {
        ModelWeights next = aggregate(global.weights(), shards);
        global.load(next);
        return next;
    }

    /**
     * The next global model from the previous one and the round's shards.
     *
     * @throws InvalidShardException for the first shard that must not be averaged
     */
    public ModelWeights aggregate(ModelWeights previous, List<ShardUpdate> shards) {
        return outer.step(previous, weightedAverage(previous, shards));
    }

    /**
     * The token-weighted average {@code Σ tokens_i·θ_i / Σ tokens_i} of the shards.
     *
     * @param layout the global model whose names and shapes every shard must have
     * @throws InvalidShardException for the first shard that must not be averaged
     */
    public static ModelWeights weightedAverage(ModelWeights layout, List<ShardUpdate> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("a round needs at least one shard to average");
        }
        long totalTokens = 0;
        for (ShardUpdate shard : shards) {
            validate(layout, shard);
            totalTokens = Math.addExact(totalTokens, shard.tokens());
        }
        List<NamedTensor> averaged = new ArrayList<>(layout.tensors().size());
        for (NamedTensor tensor : layout.tensors()) {
            double[] sum = new double[tensor.data().length];
            for (ShardUpdate shard : shards) {
                double weight = (double) shard.tokens() / totalTokens;
                float[] values = shard.weights().get(tensor.name()).data();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += weight * values[i];
                }
            }
            float[] out = new float[sum.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) sum[i];
            }
            averaged.add(new NamedTensor(tensor.name(), tensor.shape(), out));
        }
        return new ModelWeights(averaged);
    }

    /**
     * Checks one shard before it may be averaged: tokens > 0, the layout of the global model, and
     * only finite values.
     *
     * @throws InvalidShardException naming the shard and, where there is one, the parameter
     */
    public static void validate(ModelWeights layout, ShardUpdate shard) {
        if (shard.tokens() <= 0) {
            throw InvalidShardException.noTokens(shard.shardId(), shard.tokens());
        }
        layout.layoutMismatch(shard.weights())
                .ifPresent(
                        m -> {
                            throw InvalidShardException.layout(shard.shardId(), m);
                        });
        for (NamedTensor tensor : shard.weights().tensors()) {
            float[] values = tensor.data();
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw InvalidShardException.nonFinite(
                            shard.shardId(), tensor.name(), values[i], i);
                }
            }
        }
    }

    /**
     * The L2 norm of a shard's update, {@code ‖θ_shard − θ_previous‖₂}, in double (finite for any
     * finite float weights). Both must have the same layout.
     */
    public static double updateNorm(ModelWeights previous, ModelWeights shard) {
        double sum = 0;
        for (NamedTensor tensor : previous.tensors()) {
            float[] before = tensor.data();
            float[] after = shard.get(tensor.name()).data();
            for (int i = 0; i < before.length; i++) {
                double d = (double) after[i] - before[i];
                sum += d * d;
            }
        }
        return Math.sqrt(sum);
    }
}
