package io.emeth.worker.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head self-attention with an explicit causal mask: input and output {@code (B, T, C)}.
 *
 * <p>Position {@code t} attends only to positions {@code ≤ t}, so the model predicts each next byte
 * from the bytes before it and never from the answer. The mask is added to the attention scores as
 * {@code -∞} above the diagonal before the softmax.
 */
final class CausalSelfAttention extends AbstractBlock {

    private final int embeddingDim;
    private final int heads;
    private final float dropout;
    private final Linear qkv;
    private final Linear proj;

    CausalSelfAttention(int embeddingDim, int heads, float dropout) {
        this.embeddingDim = embeddingDim;
        this.heads = heads;
        this.dropout = dropout;
        this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * embeddingDim).build());
        this.proj = addChildBlock("proj", Linear.builder().setUnits(embeddingDim).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.head();
        long batch = x.getShape().get(0);
        long time = x.getShape().get(1);
        long headDim = embeddingDim / heads;

        NDList qkvParts = qkv.forward(store, new NDList(x), training).head().split(3, 2);
        NDArray q = splitHeads(qkvParts.get(0), batch, time, headDim);
        NDArray k = splitHeads(qkvParts.get(1), batch, time, headDim);
        NDArray v = splitHeads(qkvParts.get(2), batch, time, headDim);

        NDArray scores =
                q.matMul(k.transpose(0, 1, 3, 2))
                        .mul(Scalars.of(x.getManager(), 1.0 / Math.sqrt(headDim)));
        NDArray weights = scores.add(causalMask(x.getManager(), (int) time)).softmax(-1);
        weights = applyDropout(weights, training);
        NDArray merged = weights.matMul(v).transpose(0, 2, 1, 3).reshape(batch, time, embeddingDim);
        NDArray out = proj.forward(store, new NDList(merged), training).head();
        return new NDList(applyDropout(out, training));
    }

    /**
     * The additive causal mask {@code (T, T)}: 0 where row {@code i} may see column {@code j ≤ i},
     * {@code -∞} where {@code j > i}. Broadcast over batch and heads.
     */
    static NDArray causalMask(NDManager manager, int time) {
        float[] mask = new float[time * time];
        for (int i = 0; i < time; i++) {
            for (int j = i + 1; j < time; j++) {
                mask[i * time + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return manager.create(mask, new Shape(time, time));
    }

    private NDArray splitHeads(NDArray part, long batch, long time, long headDim) {
        return part.reshape(batch, time, heads, headDim).transpose(0, 2, 1, 3);
    }

    private NDArray applyDropout(NDArray array, boolean training) {
        return training && dropout > 0f ? Dropout.dropout(array, dropout, true).head() : array;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        qkv.initialize(manager, dataType, inputShapes[0]);
        proj.initialize(manager, dataType, inputShapes[0]);
    }
}
