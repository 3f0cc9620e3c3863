package io.emeth.worker.training;

/**
 * The size and optimiser settings of a decoder-only GPT model over byte tokens.
 *
 * <p>Every worker of a job builds its model from the same config and seed, so the fresh model of
 * epoch 1 is identical on all of them and their shards can be averaged. The compact constructor
 * rejects a bad value naming the field, because these values come from operator config and job
 * params.
 *
 * @param vocabSize number of token ids; 256 for byte-level tokens
 * @param contextLength longest sequence the model reads (size of the position embedding)
 * @param embeddingDim width of the residual stream
 * @param heads attention heads; must divide {@code embeddingDim}
 * @param layers number of transformer blocks
 * @param mlpRatio hidden width of the MLP as a multiple of {@code embeddingDim}
 * @param dropout dropout rate in [0, 1) on attention weights and residual branches
 * @param learningRate AdamW learning rate
 * @param weightDecay AdamW decoupled weight decay
 * @param gradClip maximum global L2 norm of the gradient; 0 disables clipping
 * @param batchSize sequences per optimiser step
 * @param seed seed of the weight initialisation and of the batch order
 */
public record GptConfig(
        int vocabSize,
        int contextLength,
        int embeddingDim,
        int heads,
        int layers,
        int mlpRatio,
        float dropout,
        float learningRate,
        float weightDecay,
        float gradClip,
        int batchSize,
        long seed) {

    /** Byte-level tokens: every UTF-8 byte is a token, so any language works. */
    public static final int BYTE_VOCAB = 256;

    private static final int MAX_DIMENSION = 1 << 16;

    public GptConfig {
        requireRange("vocabSize", vocabSize, 2, MAX_DIMENSION);
        requireRange("contextLength", contextLength, 1, MAX_DIMENSION);
        requireRange("embeddingDim", embeddingDim, 1, MAX_DIMENSION);
        requireRange("heads", heads, 1, embeddingDim);
        if (embeddingDim % heads != 0) {
            throw new IllegalArgumentException(
                    "GptConfig.embeddingDim ("
                            + embeddingDim
                            + ") must be divisible by GptConfig.heads ("
                            + heads
                            + ")");
        }
        requireRange("layers", layers, 1, 1024);
        requireRange("mlpRatio", mlpRatio, 1, 64);
        requireRange("batchSize", batchSize, 1, MAX_DIMENSION);
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException(
                    "GptConfig.dropout must be in [0, 1), was " + dropout);
        }
        requirePositiveFinite("learningRate", learningRate);
        requireNonNegativeFinite("weightDecay", weightDecay);
        requireNonNegativeFinite("gradClip", gradClip);
    }

    /** About 43 thousand parameters: trains in seconds on two CPU cores; for tests. */
    public static GptConfig tiny() {
        return new GptConfig(BYTE_VOCAB, 32, 32, 2, 2, 4, 0f, 3e-3f, 0.01f, 1.0f, 8, 42L);
    }

    /** About 1.07 million parameters (128 wide, 5 layers, context 128). */
    public static GptConfig small1M() {
        return new GptConfig(BYTE_VOCAB, 128, 128, 4, 5, 4, 0.1f, 1e-3f, 0.01f, 1.0f, 16, 42L);
    }

    /** About 10.1 million parameters (320 wide, 8 layers, context 256). */
    public static GptConfig medium10M() {
        return new GptConfig(BYTE_VOCAB, 256, 320, 8, 8, 4, 0.1f, 6e-4f, 0.01f, 1.0f, 16, 42L);
    }

    /** The fixture's training: this config's optimiser settings at a constant learning rate. */
    public TrainingRecipe recipe() {
        return new TrainingRecipe(
                contextLength,
                batchSize,
                learningRate,
                0f,
                false,
                weightDecay,
                gradClip,
                dropout,
                seed);
    }

    /** This config with another seed. */
    public GptConfig withSeed(long newSeed) {
        return new GptConfig(
                vocabSize,
                contextLength,
                embeddingDim,
                heads,
                layers,
                mlpRatio,
                dropout,
                learningRate,
                weightDecay,
                gradClip,
                batchSize,
                newSeed);
    }

    /** This config with another batch size. */
    public GptConfig withBatchSize(int newBatchSize) {
        return new GptConfig(
                vocabSize,
                contextLength,
                embeddingDim,
                heads,
                layers,
                mlpRatio,
                dropout,
                learningRate,
                weightDecay,
                gradClip,
                newBatchSize,
                seed);
    }

    /** This config with another dropout rate. */
    public GptConfig withDropout(float newDropout) {
        return new GptConfig(
                vocabSize,
                contextLength,
                embeddingDim,
                heads,
                layers,
                mlpRatio,
                newDropout,
                learningRate,
                weightDecay,
                gradClip,
                batchSize,
                seed);
    }

    /**
     * Number of trainable parameters of the model this config builds: token and position
     * embeddings, per layer two LayerNorms, the fused QKV and output projections and the two MLP
     * layers (with biases), the final LayerNorm and the untied LM head.
     */
    public long parameterCount() {
        long c = embeddingDim;
        long hidden = c * mlpRatio;
        long perLayer =
                2 * c // ln1
                        + c * 3 * c
                        + 3 * c // qkv
                        + c * c
                        + c // attention output projection
                        + 2 * c // ln2
                        + c * hidden
                        + hidden // fc1
                        + hidden * c
                        + c; // fc2
        return (long) vocabSize * c // token embedding
                + (long) contextLength * c // position embedding
                + layers * perLayer
                + 2 * c // final LayerNorm
                + c * vocabSize
                + vocabSize; // LM head
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "GptConfig." + field + " must be in [" + min + ", " + max + "], was " + value);
        }
    }

    private static void requirePositiveFinite(String field, float value) {
        if (!(value > 0f) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(
                    "GptConfig." + field + " must be a positive finite number, was " + value);
        }
    }

    private static void requireNonNegativeFinite(String field, float value) {
        if (!(value >= 0f) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(
                    "GptConfig." + field + " must be a finite number >= 0, was " + value);
        }
    }
}
