package io.emeth.worker.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder-only transformer: token ids {@code (B, T)} (int64) → next-token logits {@code (B, T,
 * vocab)}. Learned token and position embeddings, {@code layers} {@link DecoderLayer}s, a final
 * LayerNorm and an untied linear LM head.
 */
final class GptBlock extends AbstractBlock {

    private final GptConfig config;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final LayerNorm lnFinal;
    private final Linear lmHead;

    GptBlock(GptConfig config) {
        this.config = config;
        this.tokenEmbedding =
                addParameter(
                        Parameter.builder()
                                .setName("tokenEmbedding")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(config.vocabSize(), config.embeddingDim()))
                                .build());
        this.positionEmbedding =
                addParameter(
                        Parameter.builder()
                                .setName("positionEmbedding")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(config.contextLength(), config.embeddingDim()))
                                .build());
        for (int i = 0; i < config.layers(); i++) {
            layers.add(
                    addChildBlock(
                            "layer" + i,
                            new DecoderLayer(
                                    config.embeddingDim(),
                                    config.heads(),
                                    config.mlpRatio(),
                                    config.dropout())));
        }
        this.lnFinal = addChildBlock("lnFinal", LayerNorm.builder().axis(2).build());
        this.lmHead =
                addChildBlock("lmHead", Linear.builder().setUnits(config.vocabSize()).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray tokens = inputs.head();
        long time = tokens.getShape().get(1);
        if (time > config.contextLength()) {
            throw new IllegalArgumentException(
                    "sequence of "
                            + time
                            + " tokens exceeds contextLength "
                            + config.contextLength());
        }
        NDArray tokenWeights = store.getValue(tokenEmbedding, tokens.getDevice(), training);
        NDArray positionWeights = store.getValue(positionEmbedding, tokens.getDevice(), training);
        // a slice of a parameter lives on the model's manager unless moved: one leaked per pass
        NDArray positions = positionWeights.get(new NDIndex("0:{}", time));
        positions.attach(tokens.getManager());
        NDArray x =
                Embedding.embedding(tokens, tokenWeights, SparseFormat.DENSE).head().add(positions);
        if (training && config.dropout() > 0f) {
            x = Dropout.dropout(x, config.dropout(), true).head();
        }
        NDList hidden = new NDList(x);
        for (DecoderLayer layer : layers) {
            hidden = layer.forward(store, hidden, training);
        }
        return lmHead.forward(store, lnFinal.forward(store, hidden, training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), config.vocabSize())};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden =
                new Shape(inputShapes[0].get(0), inputShapes[0].get(1), config.embeddingDim());
        for (DecoderLayer layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
        lnFinal.initialize(manager, dataType, hidden);
        lmHead.initialize(manager, dataType, hidden);
    }
}
