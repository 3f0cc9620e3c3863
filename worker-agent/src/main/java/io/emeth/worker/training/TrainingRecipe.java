package io.emeth.worker.training;

/**
 * How a shard is trained: sequence length, batch, and AdamW with its learning-rate schedule.
 *
 * <p>The schedule over a job's {@code totalSteps} optimiser steps (epochs × batches per epoch) is a
 * linear warm-up over the first {@code warmupRatio} of the steps to {@code learningRate}, then,
 * when {@code cosineDecay}, a cosine decay to 0 at the last step (HF's {@code
 * get_cosine_schedule_with_warmup}); otherwise the rate stays constant. The step of an epoch's
 * batch is {@code (epoch − 1) × batchesPerEpoch + batch}, so a restarted worker resumes the
 * schedule where the epoch sits.
 *
 * @param contextLength tokens per training sequence (the original trained on 128-token chunks)
 * @param batchSize sequences per optimiser step
 * @param learningRate peak AdamW learning rate
 * @param warmupRatio fraction of the job's steps spent warming up, in [0, 1)
 * @param cosineDecay whether the rate decays along a cosine after the warm-up
 * @param weightDecay AdamW decoupled weight decay, on the parameters the model says decay
 * @param gradClip maximum global L2 norm of the gradient; 0 disables clipping
 * @param dropout dropout rate of the model while training, in [0, 1)
 * @param seed seed of the batch order; dropout masks use it with the worker's rank
 */
public record TrainingRecipe(
        int contextLength,
        int batchSize,
        float learningRate,
        float warmupRatio,
        boolean cosineDecay,
        float weightDecay,
        float gradClip,
        float dropout,
        long seed) {

    /** The sequence length of the original's fine-tuning. */
    public static final int DEFAULT_CONTEXT = 128;

    public TrainingRecipe {
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be >= 1, was " + contextLength);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (!(learningRate > 0f) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException(
                    "learningRate must be a positive finite number, was " + learningRate);
        }
        if (!(warmupRatio >= 0f && warmupRatio < 1f)) {
            throw new IllegalArgumentException("warmupRatio must be in [0, 1), was " + warmupRatio);
        }
        if (!(weightDecay >= 0f) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(
                    "weightDecay must be a finite number >= 0, was " + weightDecay);
        }
        if (!(gradClip >= 0f) || Float.isInfinite(gradClip)) {
            throw new IllegalArgumentException(
                    "gradClip must be a finite number >= 0, was " + gradClip);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), was " + dropout);
        }
    }

    /**
     * Fine-tuning a pretrained GPT-2 medium as the original did: 128-token chunks, batch 8, peak
     * learning rate 5e-5 (HF's fine-tuning default; higher rates undo a medium model's
     * pretraining), 10 % linear warm-up, cosine decay, weight decay 0.01 on the matmul weights,
     * clipping at 1.0, GPT-2's dropout 0.1.
     */
    public static TrainingRecipe fineTuning() {
        return new TrainingRecipe(DEFAULT_CONTEXT, 8, 5e-5f, 0.1f, true, 0.01f, 1.0f, 0.1f, 42L);
    }

    /** The keys of {@link #fromConfig}, as in {@code worker.json}'s {@code fine_tuning} section. */
    public static final java.util.List<String> CONFIG_KEYS =
            java.util.List.of(
                    "context_length",
                    "learning_rate",
                    "warmup_ratio",
                    "cosine_decay",
                    "weight_decay",
                    "grad_clip",
                    "dropout");

    /**
     * The fine-tuning recipe of a config section such as {@code worker.json}'s {@code
     * "fine_tuning": {"learning_rate": 5e-5, ...}} (keys {@link #CONFIG_KEYS}; a missing key keeps
     * {@link #fineTuning()}'s value; batch size and seed come from each job's assignment).
     *
     * @param where names the section in errors, e.g. {@code "config/worker.json: fine_tuning"}
     * @throws IllegalArgumentException naming the key for an unknown key or a bad value
     */
    public static TrainingRecipe fromConfig(java.util.Map<String, ?> section, String where) {
        TrainingRecipe d = fineTuning();
        for (String key : section.keySet()) {
            if (!CONFIG_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        where + "." + key + " is not a key; known: " + CONFIG_KEYS);
            }
        }
        try {
            return new TrainingRecipe(
                    (int) number(section, "context_length", d.contextLength, where),
                    d.batchSize,
                    (float) number(section, "learning_rate", d.learningRate, where),
                    (float) number(section, "warmup_ratio", d.warmupRatio, where),
                    flag(section, "cosine_decay", d.cosineDecay, where),
                    (float) number(section, "weight_decay", d.weightDecay, where),
                    (float) number(section, "grad_clip", d.gradClip, where),
                    (float) number(section, "dropout", d.dropout, where),
                    d.seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static double number(
            java.util.Map<String, ?> section, String key, double fallback, String where) {
        Object value = section.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException(
                    where + "." + key + " must be a number, was '" + value + "'");
        }
        return n.doubleValue();
    }

    private static boolean flag(
            java.util.Map<String, ?> section, String key, boolean fallback, String where) {
        Object value = section.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException(
                    where + "." + key + " must be true or false, was '" + value + "'");
        }
        return b;
    }

    /** The learning rate of (0-based) step {@code step} of a job of {@code totalSteps} steps. */
    public float learningRate(long step, long totalSteps) {
        long total = Math.max(1, totalSteps);
        long warmup = (long) Math.floor(warmupRatio * total);
        if (step < warmup) {
            return learningRate * (step + 1) / (warmup + 1);
        }
        if (!cosineDecay) {
            return learningRate;
        }
        double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, total - warmup));
        return (float) (learningRate * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    public TrainingRecipe withBatchSize(int newBatchSize) {
        return new TrainingRecipe(
                contextLength,
                newBatchSize,
                learningRate,
                warmupRatio,
                cosineDecay,
                weightDecay,
                gradClip,
                dropout,
                seed);
    }

    public TrainingRecipe withSeed(long newSeed) {
        return new TrainingRecipe(
                contextLength,
                batchSize,
                learningRate,
                warmupRatio,
                cosineDecay,
                weightDecay,
                gradClip,
                dropout,
                newSeed);
    }

    public TrainingRecipe withContextLength(int newContextLength) {
        return new TrainingRecipe(
                newContextLength,
                batchSize,
                learningRate,
                warmupRatio,
                cosineDecay,
                weightDecay,
                gradClip,
                dropout,
                seed);
    }

    public TrainingRecipe withLearningRate(float newLearningRate, float newWarmupRatio) {
        return new TrainingRecipe(
                contextLength,
                batchSize,
                newLearningRate,
                newWarmupRatio,
                cosineDecay,
                weightDecay,
                gradClip,
                dropout,
                seed);
    }

    public TrainingRecipe withDropout(float newDropout) {
        return new TrainingRecipe(
                contextLength,
                batchSize,
                learningRate,
                warmupRatio,
                cosineDecay,
                weightDecay,
                gradClip,
                newDropout,
                seed);
    }
}
