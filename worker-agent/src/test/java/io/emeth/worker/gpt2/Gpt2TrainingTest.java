package io.emeth.worker.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.emeth.worker.training.GptConfig;
import io.emeth.worker.training.GptModel;
import io.emeth.worker.training.LanguageModel;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.training.TrainingRecipe;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2TrainingTest {

    private static final Gpt2Config SHAPE = Gpt2Config.of(2, 32, 2, 64, 64);
    private static final TrainingRecipe RECIPE =
            new TrainingRecipe(16, 4, 3e-3f, 0.1f, true, 0.01f, 1.0f, 0.1f, 5L);

    @TempDir Path dir;

    @Test
    void shouldKeepTheNumberOfLiveNdArraysFlatOverTrainingSteps() throws Exception {
        Gpt2Model.writeRandom(dir, SHAPE, 1);
        try (Gpt2Model model = Gpt2Model.load(dir, RECIPE.dropout(), Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model, RECIPE, 3, 0)) {
            assertFlat(model, trainer);
        }
    }

    @Test
    void shouldKeepTheByteFixturesNdArraysFlatOverTrainingSteps() {
        try (GptModel model = GptModel.create(GptConfig.tiny(), Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model)) {
            assertFlat(model, trainer);
        }
    }

    @Test
    void shouldLowerTheLossOfARepeatedText() throws Exception {
        Gpt2Model.writeRandom(dir, SHAPE, 2);
        int[] tokens = tokens(16 * 4 * 4 + 1, 3, 8); // a small alphabet: learnable in a few steps
        try (Gpt2Model model = Gpt2Model.load(dir, RECIPE.dropout(), Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model, RECIPE, 3, 0)) {
            double before = trainer.evaluate(tokens);
            for (int epoch = 1; epoch <= 3; epoch++) {
                trainer.train(tokens, epoch, Integer.MAX_VALUE);
            }
            assertThat(trainer.evaluate(tokens)).isLessThan(before - 0.3);
        }
    }

    private static void assertFlat(LanguageModel model, ShardTrainer trainer) {
        int[] tokens = tokens(16 * 4 * 12 + 1, 4, 64);
        trainer.train(tokens, 1, 2); // optimiser state and caches exist after the first steps
        trainer.evaluate(tokens, 1);
        int settled = live(model);
        trainer.train(tokens, 2, 10);
        trainer.evaluate(tokens, 3);
        assertThat(live(model)).as("live NDArrays after 10 more steps").isEqualTo(settled);
    }

    private static int live(LanguageModel model) {
        return model.djlModel().getNDManager().getManagedArrays().size();
    }

    private static int[] tokens(int count, long seed, int alphabet) {
        Random random = new Random(seed);
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] =
                    i % 7 == 0
                            ? random.nextInt(alphabet)
                            : (tokens[Math.max(0, i - 1)] + 1) % alphabet;
        }
        return tokens;
    }
}
