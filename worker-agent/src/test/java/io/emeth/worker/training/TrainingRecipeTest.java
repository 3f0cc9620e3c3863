package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.emeth.common.config.FineTuning;
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
    void shouldTakeEveryNumberOfTheConfigsFineTuningSection() {
        // Given a worker.json fine_tuning section that changes every default
        FineTuning config = new FineTuning(256, 1e-4, 0.05, false, 0.1, 0.5, 0.2);

        // Then the recipe trains with exactly those (batch and seed come from each assignment)
        TrainingRecipe recipe = TrainingRecipe.fineTuning(config);
        assertThat(recipe.contextLength()).isEqualTo(256);
        assertThat(recipe.learningRate()).isEqualTo(1e-4f);
        assertThat(recipe.warmupRatio()).isEqualTo(0.05f);
        assertThat(recipe.cosineDecay()).isFalse();
        assertThat(recipe.weightDecay()).isEqualTo(0.1f);
        assertThat(recipe.gradClip()).isEqualTo(0.5f);
        assertThat(recipe.dropout()).isEqualTo(0.2f);
        assertThat(TrainingRecipe.fineTuning())
                .isEqualTo(new TrainingRecipe(128, 8, 5e-5f, 0.1f, true, 0.01f, 1f, 0.1f, 42L));
    }
}
