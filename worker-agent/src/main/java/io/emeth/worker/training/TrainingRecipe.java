package io.emeth.worker.training;

import io.emeth.common.config.FineTuning;

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
     * Fine-tuning a pretrained GPT-2 medium as the original did ({@link FineTuning#DEFAULTS}:
     * 128-token chunks, peak learning rate 5e-5, 10 % linear warm-up, cosine decay, weight decay
     * 0.01 on the matmul weights, clipping at 1.0, GPT-2's dropout 0.1), batch 8.
     */
    public static TrainingRecipe fineTuning() {
        return fineTuning(FineTuning.DEFAULTS);
    }

    /**
     * The recipe of a worker's {@code fine_tuning} config section, with batch 8 and seed 42 until a
     * job's assignment sets its own ({@link #withBatchSize}, {@link #withSeed}).
     */
    public static TrainingRecipe fineTuning(FineTuning config) {
        return new TrainingRecipe(
                config.contextLength(),
                8,
                (float) config.learningRate(),
                (float) config.warmupRatio(),
                config.cosineDecay(),
                (float) config.weightDecay(),
                (float) config.gradClip(),
                (float) config.dropout(),
                42L);
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
