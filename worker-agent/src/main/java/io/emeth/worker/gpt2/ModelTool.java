package io.emeth.worker.gpt2;

import ai.djl.Device;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.training.TokenEncoder;
import io.emeth.worker.training.TokenizerLoader;
import io.emeth.worker.training.TrainingRecipe;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What {@code emeth model sample|eval} do with a delivered model: open a model directory or a job's
 * result zip, continue a prompt, or measure the loss on a text.
 */
public final class ModelTool implements AutoCloseable {

    private final Gpt2Model model;
    private final TokenEncoder tokenizer;

    private ModelTool(Gpt2Model model, TokenEncoder tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * Opens {@code dirOrZip}: a HF model directory, or a result zip (unpacked into {@code
     * scratch}).
     *
     * @throws InvalidCheckpointException naming the file and tensor when the model is bad
     * @throws IOException when a file cannot be read or the tokenizer not loaded
     */
    public static ModelTool open(Path dirOrZip, Path scratch, TokenizerLoader tokenizers)
            throws IOException {
        Path dir = Files.isDirectory(dirOrZip) ? dirOrZip : unzip(dirOrZip, scratch);
        Gpt2Model.Checkpoint checkpoint = Gpt2Model.checkpoint(dir);
        TokenEncoder tokenizer = tokenizers.load(dir);
        return new ModelTool(Gpt2Model.create(checkpoint, 0f, Device.cpu()), tokenizer);
    }

    /**
     * The continuation of {@code prompt}: {@code tokens} tokens sampled at {@code temperature} from
     * the {@code topK} likeliest (temperature 0: always the likeliest), seeded.
     */
    public String sample(String prompt, int tokens, double temperature, int topK, long seed) {
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt encodes to no tokens");
        }
        int window = model.config().positions();
        int vocab = model.config().vocabSize();
        Random random = new Random(seed);
        int[] generated = new int[tokens];
        int[] context = ids;
        for (int n = 0; n < tokens; n++) {
            int start = Math.max(0, context.length - window);
            long[] input = new long[context.length - start];
            for (int i = 0; i < input.length; i++) {
                input[i] = context[start + i];
            }
            float[] logits = model.logits(input);
            int next = pick(logits, (input.length - 1) * vocab, vocab, temperature, topK, random);
            generated[n] = next;
            int[] grown = new int[context.length + 1];
            System.arraycopy(context, 0, grown, 0, context.length);
            grown[context.length] = next;
            context = grown;
        }
        return tokenizer.decode(generated);
    }

    /** Mean next-token cross-entropy (nats per token) of the model on {@code text}. */
    public double loss(String text, int contextLength) {
        int[] ids = tokenizer.encode(text);
        TrainingRecipe recipe =
                TrainingRecipe.fineTuning()
                        .withContextLength(Math.min(contextLength, model.config().positions()))
                        .withDropout(0f);
        try (ShardTrainer evaluator = new ShardTrainer(model, recipe, 1, 0)) {
            return evaluator.evaluate(ids);
        }
    }

    public Gpt2Config config() {
        return model.config();
    }

    static int pick(
            float[] logits, int offset, int vocab, double temperature, int topK, Random random) {
        if (temperature <= 0) {
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[offset + v] > logits[offset + best]) {
                    best = v;
                }
            }
            return best;
        }
        int k = topK <= 0 ? vocab : Math.min(topK, vocab);
        float[] sorted = new float[vocab];
        System.arraycopy(logits, offset, sorted, 0, vocab);
        java.util.Arrays.sort(sorted);
        float threshold = sorted[vocab - k];
        float max = sorted[vocab - 1];
        double[] weights = new double[vocab];
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            float logit = logits[offset + v];
            weights[v] = logit >= threshold ? Math.exp((logit - max) / temperature) : 0;
            sum += weights[v];
        }
        double r = random.nextDouble() * sum;
        for (int v = 0; v < vocab; v++) {
            r -= weights[v];
            if (r <= 0 && weights[v] > 0) {
                return v;
            }
        }
        return vocab - 1;
    }

    private static Path unzip(Path zip, Path scratch) throws IOException {
        if (!Files.isRegularFile(zip)) {
            throw new IOException(zip + " is neither a model directory nor a result zip");
        }
        Files.createDirectories(scratch);
        try (InputStream in = Files.newInputStream(zip);
                ZipInputStream entries = new ZipInputStream(in)) {
            for (ZipEntry e = entries.getNextEntry(); e != null; e = entries.getNextEntry()) {
                Path target = scratch.resolve(e.getName()).normalize();
                if (e.isDirectory() || !target.startsWith(scratch.normalize())) {
                    continue; // only plain entries of the bundle's own level
                }
                Files.copy(entries, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return scratch;
    }

    @Override
    public void close() {
        model.close();
    }
}
