package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingRecipeTest {

    @Test
    void shouldWarmUpLinearlyThenDecayAlongACosineToZero() {
        TrainingRecipe recipe = TrainingRecipe.fineTuning(); // 5e-5, 10 % warm-up
        long total = 100;

        assertThat(recipe.learningRate(0, total)).isCloseTo(5e-5f / 11, within(1e-12f));
        assertThat(recipe.learningRate(9, total)).isCloseTo(5e-5f * 10 / 11, within(1e-12f));
        assertThat(recipe.learningRate(10, total)).isEqualTo(5e-5f);
        assertThat(recipe.learningRate(55, total)).isCloseTo(2.5e-5f, within(1e-9f));
        assertThat(recipe.learningRate(99, total)).isLessThan(1e-7f);
        for (long step = 11; step < total; step++) {
            assertThat(recipe.learningRate(step, total))
                    .isLessThan(recipe.learningRate(step - 1, total));
        }
    }

    @Test
    void shouldKeepAConstantRateWithoutWarmUpOrDecay() {
        TrainingRecipe constant = new TrainingRecipe(32, 8, 3e-3f, 0f, false, 0f, 1f, 0f, 1);
        assertThat(constant.learningRate(0, 10)).isEqualTo(3e-3f);
        assertThat(constant.learningRate(9, 10)).isEqualTo(3e-3f);
    }

    @Test
    void shouldReadAConfigSectionAndNameABadKey() {
        TrainingRecipe recipe =
                TrainingRecipe.fromConfig(
                        Map.of("learning_rate", 1e-4, "context_length", 256, "cosine_decay", false),
                        "worker.json: fine_tuning");

        assertThat(recipe.learningRate()).isEqualTo(1e-4f);
        assertThat(recipe.contextLength()).isEqualTo(256);
        assertThat(recipe.cosineDecay()).isFalse();
        assertThat(recipe.weightDecay()).isEqualTo(TrainingRecipe.fineTuning().weightDecay());
        assertThatThrownBy(
                        () ->
                                TrainingRecipe.fromConfig(
                                        Map.of("lr", 1), "worker.json: fine_tuning"))
                .hasMessageContaining("worker.json: fine_tuning.lr is not a key");
        assertThatThrownBy(
                        () ->
                                TrainingRecipe.fromConfig(
                                        Map.of("dropout", 1.5), "worker.json: fine_tuning"))
                .hasMessageContaining("worker.json: fine_tuning: dropout must be in [0, 1)");
        assertThatThrownBy(
                        () ->
                                TrainingRecipe.fromConfig(
                                        Map.of("learning_rate", "high"), "w: fine_tuning"))
                .hasMessageContaining("w: fine_tuning.learning_rate must be a number");
    }
}
