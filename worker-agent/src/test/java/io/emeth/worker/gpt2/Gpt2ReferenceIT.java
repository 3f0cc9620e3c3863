package io.emeth.worker.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.worker.training.EpochResult;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.training.TokenBatcher;
import io.emeth.worker.training.TrainingRecipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DJL GPT-2 against a PyTorch reference written from the architecture's facts (test resource
 * {@code gpt2/gpt2_reference.py}, run by Debian's python3-torch): the same checkpoint must give the
 * same logits, and one AdamW step (weight decay on matmul weights only, gradient clipping, dropout
 * off) the same loss.
 */
class Gpt2ReferenceIT {

    private static final Gpt2Config SHAPE = new Gpt2Config(2, 64, 4, 101, 64, 256, 1e-5, true);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;

    @BeforeAll
    static void requireTorch() throws Exception {
        String why = PythonReference.unavailable();
        Assumptions.assumeTrue(why == null, "Skipping the GPT-2 reference-parity IT: " + why);
        Gpt2Model.writeRandom(dir.resolve("model"), SHAPE, 2024);
    }

    @Test
    void shouldComputeTheReferenceLogits() throws Exception {
        int[] tokens = randomTokens(40, 1);
        Files.writeString(dir.resolve("tokens.json"), Arrays.toString(tokens));

        float[] djl;
        try (Gpt2Model model = Gpt2Model.load(dir.resolve("model"), 0f, Device.cpu())) {
            djl = model.logits(Arrays.stream(tokens).asLongStream().toArray());
        }
        JsonNode reference =
                PythonReference.run(
                        "logits",
                        dir.resolve("model").toString(),
                        dir.resolve("tokens.json").toString());

        JsonNode logits = reference.get("logits");
        assertThat(djl).hasSize(logits.size()).hasSize(40 * 101);
        double maxDiff = 0;
        for (int i = 0; i < djl.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(djl[i] - logits.get(i).doubleValue()));
        }
        assertThat(maxDiff).as("largest |DJL − PyTorch| logit").isLessThan(1e-4);
    }

    @Test
    void shouldReachTheReferenceLossAfterOneTrainingStep() throws Exception {
        TrainingRecipe recipe = new TrainingRecipe(16, 4, 1e-2f, 0f, false, 0.1f, 1.0f, 0f, 9L);
        int[] tokens = randomTokens(4 * 16 + 1, 2);
        List<TokenBatcher.Batch> windows = new TokenBatcher(tokens, 16, 4).sequential();
        assertThat(windows).hasSize(1);
        ObjectNode batch = JSON.createObjectNode();
        batch.set("inputs", JSON.valueToTree(rows(windows.get(0).inputs(), 16)));
        batch.set("targets", JSON.valueToTree(rows(windows.get(0).targets(), 16)));
        batch.put("learningRate", recipe.learningRate());
        batch.put("weightDecay", recipe.weightDecay());
        batch.put("gradClip", recipe.gradClip());
        Files.writeString(dir.resolve("batch.json"), JSON.writeValueAsString(batch));

        EpochResult step;
        double after;
        try (Gpt2Model model = Gpt2Model.load(dir.resolve("model"), 0f, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model, recipe, 1, 0)) {
            step = trainer.train(tokens, 1, 1);
            after = trainer.evaluate(tokens);
        }
        JsonNode reference =
                PythonReference.run(
                        "step",
                        dir.resolve("model").toString(),
                        dir.resolve("batch.json").toString());

        double referenceBefore = reference.get("lossBefore").doubleValue();
        double referenceAfter = reference.get("lossAfter").doubleValue();
        assertThat(step.meanLoss()).isCloseTo(referenceBefore, within(1e-4));
        // the step moves the loss by far more than the tolerance, so a wrong update would show
        assertThat(referenceBefore - referenceAfter).isGreaterThan(0.01);
        assertThat(after).isCloseTo(referenceAfter, within(1e-3));
    }

    private static int[] randomTokens(int count, long seed) {
        Random random = new Random(seed);
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = random.nextInt(SHAPE.vocabSize());
        }
        return tokens;
    }

    private static long[][] rows(long[] flat, int columns) {
        long[][] rows = new long[flat.length / columns][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = Arrays.copyOfRange(flat, r * columns, (r + 1) * columns);
        }
        return rows;
    }
}
