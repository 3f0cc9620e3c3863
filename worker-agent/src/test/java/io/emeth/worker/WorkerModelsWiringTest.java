package io.emeth.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.WorkerConfig;
import io.emeth.worker.gpt2.HfTokenizers;
import io.emeth.worker.jobs.JobContext;
import io.emeth.worker.training.TrainingRecipe;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which models a worker's jobs fine-tune: those of its models_dir unless the launcher says else.
 */
class WorkerModelsWiringTest {
    private static final WorkerConfig CONFIG =
            new ConfigLoader(Map.of())
                    .parseWorker(
                            "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\": 7,"
                                    + " \"models_dir\": \"/var/lib/emeth/models\"}",
                            "worker.json")
                    .config();

    @Test
    void shouldFineTuneTheModelsOfTheConfiguredModelsDirByDefault() {
        // Given a worker.json with models_dir and the launcher's default options
        JobContext.Models models = WorkerAgent.jobModels(CONFIG, WorkerOptions.defaults());

        // Then jobs read their model from models_dir with the HF tokenizer and the default recipe
        assertThat(models.dir()).isEqualTo(Path.of("/var/lib/emeth/models"));
        assertThat(models.tokenizers()).isSameAs(HfTokenizers.LOADER);
        assertThat(models.recipe()).isEqualTo(TrainingRecipe.fineTuning());
    }

    @Test
    void shouldFineTuneWithTheRecipeOfTheConfigsFineTuningSection() {
        // Given a worker.json whose fine_tuning lowers the rate and lengthens the chunks
        WorkerConfig config =
                new ConfigLoader(Map.of())
                        .parseWorker(
                                "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\": 7,"
                                        + " \"fine_tuning\": {\"learning_rate\": 2e-5,"
                                        + " \"context_length\": 256, \"dropout\": 0}}",
                                "worker.json")
                        .config();

        // Then the jobs' recipe is that one, not the built-in default
        TrainingRecipe recipe = WorkerAgent.jobModels(config, WorkerOptions.defaults()).recipe();
        assertThat(recipe.learningRate()).isEqualTo(2e-5f);
        assertThat(recipe.contextLength()).isEqualTo(256);
        assertThat(recipe.dropout()).isZero();
        assertThat(recipe.warmupRatio()).isEqualTo(0.1f);
        assertThat(recipe.cosineDecay()).isTrue();
    }

    @Test
    void shouldUseTheLaunchersModelsWhenGiven() {
        // Given options naming no models at all
        WorkerOptions options = WorkerOptions.defaults().withModels(JobContext.Models.NONE);

        // Then those win over models_dir
        assertThat(WorkerAgent.jobModels(CONFIG, options)).isSameAs(JobContext.Models.NONE);
    }
}
