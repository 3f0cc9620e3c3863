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
    void shouldUseTheLaunchersModelsWhenGiven() {
        // Given options naming no models at all
        WorkerOptions options = WorkerOptions.defaults().withModels(JobContext.Models.NONE);

        // Then those win over models_dir
        assertThat(WorkerAgent.jobModels(CONFIG, options)).isSameAs(JobContext.Models.NONE);
    }
}
