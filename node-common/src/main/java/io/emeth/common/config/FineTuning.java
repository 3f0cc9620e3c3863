package io.emeth.common.config;

/**
 * How a worker fine-tunes a pretrained checkpoint, {@code fine_tuning} in {@code
 * config/worker.json}: the original's recipe (128-token chunks, AdamW with a linear warm-up then a
 * cosine decay, weight decay on the matmul weights only, GPT-2's dropout) with every number the
 * operator's to change. Batch size and seed are not here: each job's assignment sets them.
 *
 * @param contextLength tokens per training chunk ({@code context_length}, 1..65536; a model with
 *     fewer positions trains on chunks of its own length)
 * @param learningRate peak AdamW learning rate ({@code learning_rate}, in (0, 1])
 * @param warmupRatio fraction of a job's steps spent warming up linearly ({@code warmup_ratio}, in
 *     [0, 1))
 * @param cosineDecay whether the rate decays along a cosine to 0 after the warm-up ({@code
 *     cosine_decay}); otherwise it stays at the peak
 * @param weightDecay AdamW decoupled weight decay on matmul weights ({@code weight_decay}, in [0,
 *     1])
 * @param gradClip largest global L2 norm of a step's gradient, 0 for none ({@code grad_clip}, in
 *     [0, 1000000])
 * @param dropout dropout rate while training ({@code dropout}, in [0, 1))
 */
public record FineTuning(
        int contextLength,
        double learningRate,
        double warmupRatio,
        boolean cosineDecay,
        double weightDecay,
        double gradClip,
        double dropout) {

    /** Largest {@code context_length} accepted (GPT-2 has 1024 positions). */
    public static final int MAX_CONTEXT = 65_536;

    /** Largest {@code grad_clip} accepted. */
    public static final double MAX_GRAD_CLIP = 1_000_000;

    /**
     * The original's fine-tuning of GPT-2 medium: 128-token chunks, peak learning rate 5e-5 (HF's
     * fine-tuning default; higher rates undo a medium model's pretraining), 10 % linear warm-up,
     * cosine decay, weight decay 0.01, clipping at 1.0, GPT-2's dropout 0.1.
     */
    public static final FineTuning DEFAULTS = new FineTuning(128, 5e-5, 0.1, true, 0.01, 1.0, 0.1);

    public FineTuning {
        check(
                "context_length",
                contextLength >= 1 && contextLength <= MAX_CONTEXT,
                contextLength,
                "between 1 and " + MAX_CONTEXT);
        check("learning_rate", learningRate > 0 && learningRate <= 1, learningRate, "in (0, 1]");
        check("warmup_ratio", warmupRatio >= 0 && warmupRatio < 1, warmupRatio, "in [0, 1)");
        check("weight_decay", weightDecay >= 0 && weightDecay <= 1, weightDecay, "in [0, 1]");
        check(
                "grad_clip",
                gradClip >= 0 && gradClip <= MAX_GRAD_CLIP,
                gradClip,
                "in [0, " + (long) MAX_GRAD_CLIP + "]");
        check("dropout", dropout >= 0 && dropout < 1, dropout, "in [0, 1)");
    }

    /** A comparison false for NaN fails here too: every check is written as "inside the range". */
    private static void check(String key, boolean ok, Object value, String range) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "fine_tuning." + key + " must be " + range + ", got " + value);
        }
    }
}
