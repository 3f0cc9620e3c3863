package io.emeth.master.config;

/**
 * The model every worker of a job builds ({@code model} in {@code config/master.json}): a small
 * byte-level GPT by default that trains in seconds on a 2-core CPU. The seed is not configured:
 * each job derives its own from its id, the same on all of its workers.
 *
 * @param contextLength {@code model.context_length}, tokens per sequence
 * @param embeddingDim {@code model.embedding_dim}, width of the residual stream
 * @param layers {@code model.layers}, transformer blocks
 * @param heads {@code model.heads}, attention heads; divides embeddingDim
 * @param dropout {@code model.dropout}, in [0, 1)
 * @param learningRate {@code model.learning_rate}, AdamW's
 * @param weightDecay {@code model.weight_decay}, AdamW's
 * @param gradientClip {@code model.gradient_clip}, global norm clip, 0 disables
 */
public record ModelSettings(
        int contextLength,
        int embeddingDim,
        int layers,
        int heads,
        double dropout,
        double learningRate,
        double weightDecay,
        double gradientClip) {
    public static final ModelSettings DEFAULTS =
            new ModelSettings(64, 64, 2, 4, 0.0, 3e-3, 0.01, 1.0);

    public ModelSettings {
        if (heads < 1 || embeddingDim % heads != 0) {
            throw new IllegalArgumentException(
                    "model.heads ("
                            + heads
                            + ") must be at least 1 and divide model.embedding_dim ("
                            + embeddingDim
                            + ")");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("model.dropout must be in [0, 1), was " + dropout);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(
                    "model.learning_rate must be a positive number, was " + learningRate);
        }
    }
}
