package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import io.emeth.worker.WorkerAgent;
import io.emeth.worker.models.InvalidModelException;
import io.emeth.worker.models.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A worker advertises the pretrained models in its {@code models_dir} when it registers, so that
 * the master can match jobs to workers holding their model; an incomplete model directory stops it
 * before it registers at all, naming the missing file.
 */
class WorkerModelsIT {
    @AutoClose private WorkerStack stack;

    @Test
    void shouldAdvertiseTheModelsItHoldsWhenItRegisters() throws Exception {
        // Given a worker whose models_dir holds two model directories
        stack = new WorkerStack("WorkerModelsIT-advertise");
        Path modelsDir = stack.dir.resolve("a").resolve("models");
        TestModels.write(modelsDir, "dev-gpt2-ja");
        TestModels.write(modelsDir, "japanese-gpt2-medium");
        NodeIdentity identity = NodeIdentity.generate();

        // When it starts
        WorkerAgent agent = stack.startWorker("a", identity);

        // Then its registration on worker-events names both models
        Awaitility.await("the registration")
                .atMost(Duration.ofSeconds(60))
                .until(() -> stack.recorder.registered(agent.address()));
        WorkerRegistered registered =
                (WorkerRegistered)
                        stack.recorder
                                .worker(WorkerRegistered.class, agent.address())
                                .get(0)
                                .value()
                                .getPayload();
        assertThat(registered.getModels()).containsExactly("dev-gpt2-ja", "japanese-gpt2-medium");
    }

    @Test
    void shouldRefuseToStartWithAnIncompleteModelDirectoryNamingTheMissingFile() throws Exception {
        // Given a worker whose gpt2-medium directory lacks its tokenizer.json
        stack = new WorkerStack("WorkerModelsIT-refuse");
        Path modelsDir = stack.dir.resolve("b").resolve("models");
        Path model = TestModels.write(modelsDir, "gpt2-medium");
        Files.delete(model.resolve("tokenizer.json"));
        NodeIdentity identity = NodeIdentity.generate();

        // When it starts, Then it refuses with the directory and the file, and never registers
        assertThatThrownBy(() -> stack.startWorker("b", identity))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(model.toString())
                .hasMessageContaining("tokenizer.json is missing");
        assertThat(stack.recorder.registered(identity.address())).isFalse();
    }
}
