package io.emeth.worker.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-LayerNorm transformer block, {@code (B, T, C) → (B, T, C)}: {@code x + attn(ln1(x))},
 * then {@code x + mlp(ln2(x))} with a GELU MLP. Normalising before each branch (GPT-2 style) keeps
 * the residual path clean, which is what lets small models train stably at a high learning rate.
 */
final class DecoderLayer extends AbstractBlock {

    private final float dropout;
    private final LayerNorm ln1;
    private final CausalSelfAttention attention;
    private final LayerNorm ln2;
    private final Linear fc1;
    private final Linear fc2;

    DecoderLayer(int embeddingDim, int heads, int mlpRatio, float dropout) {
        this.dropout = dropout;
        this.ln1 = addChildBlock("ln1", LayerNorm.builder().axis(2).build());
        this.attention =
                addChildBlock("attn", new CausalSelfAttention(embeddingDim, heads, dropout));
        this.ln2 = addChildBlock("ln2", LayerNorm.builder().axis(2).build());
        this.fc1 =
                addChildBlock(
                        "fc1", Linear.builder().setUnits((long) embeddingDim * mlpRatio).build());
        this.fc2 = addChildBlock("fc2", Linear.builder().setUnits(embeddingDim).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray attended =
                attention
                        .forward(store, ln1.forward(store, new NDList(x), training), training)
                        .head();
        x = x.add(attended);
        NDArray hidden =
                fc1.forward(store, ln2.forward(store, new NDList(x), training), training).head();
        NDArray mlp = fc2.forward(store, new NDList(Activation.gelu(hidden)), training).head();
        if (training && dropout > 0f) {
            mlp = Dropout.dropout(mlp, dropout, true).head();
        }
        return new NDList(x.add(mlp));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        ln1.initialize(manager, dataType, shape);
        attention.initialize(manager, dataType, shape);
        ln2.initialize(manager, dataType, shape);
        fc1.initialize(manager, dataType, shape);
        fc2.initialize(manager, dataType, fc1.getOutputShapes(new Shape[] {shape})[0]);
    }
}
