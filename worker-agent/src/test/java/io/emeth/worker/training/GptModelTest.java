package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import io.emeth.worker.weights.WeightsCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GptModelTest {

    private static final GptConfig TINY = GptConfig.tiny();

    @Test
    void shouldNeverLetALaterTokenChangeAnEarlierPosition() {
        try (GptModel model = GptModel.create(TINY, Device.cpu())) {
            // Given a sequence and a copy that differs only at position 20
            long[] tokens = new Random(1).longs(TINY.contextLength(), 0, 256).toArray();
            long[] changed = tokens.clone();
            changed[20] = (tokens[20] + 1) % 256;

            // When both are run through the model
            float[] before = model.logits(tokens);
            float[] after = model.logits(changed);

            // Then positions 0..19 give the same logits and positions 20.. differ
            int vocab = TINY.vocabSize();
            for (int position = 0; position < TINY.contextLength(); position++) {
                float maxDiff = 0;
                for (int v = 0; v < vocab; v++) {
                    int i = position * vocab + v;
                    maxDiff = Math.max(maxDiff, Math.abs(before[i] - after[i]));
                }
                if (position < 20) {
                    assertThat(maxDiff).as("position %d", position).isLessThan(1e-6f);
                } else {
                    assertThat(maxDiff).as("position %d", position).isGreaterThan(1e-6f);
                }
            }
        }
    }

    @Test
    void shouldHaveTheParameterCountOfItsConfig() {
        try (GptModel tiny = GptModel.create(TINY, Device.cpu());
                GptModel small = GptModel.create(GptConfig.small1M(), Device.cpu())) {
            assertThat(tiny.parameterCount()).isEqualTo(TINY.parameterCount());
            assertThat(tiny.weights().parameterCount()).isEqualTo(TINY.parameterCount());
            assertThat(small.parameterCount()).isEqualTo(GptConfig.small1M().parameterCount());
        }
    }

    @Test
    void shouldStartFromTheSameWeightsForTheSameSeed() {
        // Given two models with one seed and one with another
        try (GptModel a = GptModel.create(TINY, Device.cpu());
                GptModel b = GptModel.create(TINY, Device.cpu());
                GptModel c = GptModel.create(TINY.withSeed(7), Device.cpu())) {
            // Then the first two are identical bit for bit and the third differs
            assertThat(WeightsCodec.sha256(a.weights()))
                    .isEqualTo(WeightsCodec.sha256(b.weights()));
            assertThat(WeightsCodec.sha256(c.weights()))
                    .isNotEqualTo(WeightsCodec.sha256(a.weights()));
        }
    }

    @Test
    void shouldLoadWeightsInPlaceFromAnyThread() throws Exception {
        try (GptModel model = GptModel.create(TINY, Device.cpu())) {
            // Given other weights (every value shifted)
            ModelWeights shifted = shift(model.weights(), 0.25f);

            // When loaded from a thread that did not start the engine
            CompletableFuture.runAsync(() -> model.load(shifted)).get();

            // Then the model holds exactly those weights
            assertThat(model.weights()).isEqualTo(shifted);
        }
    }

    @Test
    void shouldLoadWeightsWithoutNewDirectBuffers() throws Exception {
        try (GptModel model = GptModel.create(TINY, Device.cpu())) {
            // Given other weights, one tensor at a time from a file (as a round's global model),
            // and the JVM's direct buffers in use before loading them
            ModelWeights shifted = shift(model.weights(), 0.5f);
            java.nio.file.Path file = java.nio.file.Files.createTempFile("shifted", ".emwt");
            try {
                try (var out = java.nio.file.Files.newOutputStream(file)) {
                    WeightsCodec.write(shifted, out);
                }
                long before = directMemoryUsed();

                // When they are loaded three times, from memory and from the file
                for (int i = 0; i < 3; i++) {
                    model.load(shifted);
                    model.load(io.emeth.worker.weights.WeightsFile.open(file));
                }

                // Then the loads wrote into the parameters' memory: no direct buffer of the
                // model's size was allocated, and the model holds those weights
                assertThat(directMemoryUsed() - before).isLessThan(4 * shifted.parameterCount());
                assertThat(model.weights()).isEqualTo(shifted);
            } finally {
                java.nio.file.Files.delete(file);
            }
        }
    }

    private static long directMemoryUsed() {
        return java.lang.management.ManagementFactory.getPlatformMXBeans(
                        java.lang.management.BufferPoolMXBean.class)
                .stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed)
                .sum();
    }

    @Test
    void shouldRefuseWeightsOfAnotherShape() {
        try (GptModel model = GptModel.create(TINY, Device.cpu());
                GptModel wider =
                        GptModel.create(
                                new GptConfig(256, 32, 64, 2, 2, 4, 0f, 1e-3f, 0f, 1f, 8, 42),
                                Device.cpu())) {
            assertThatThrownBy(() -> model.load(wider.weights()))
                    .isInstanceOf(InvalidWeightsException.class)
                    .hasMessageContaining(
                            "'tokenEmbedding' has shape [256, 64], this model needs [256, 32]");

            List<NamedTensor> fewer = new ArrayList<>(model.weights().tensors());
            NamedTensor dropped = fewer.remove(fewer.size() - 1);
            assertThatThrownBy(() -> model.load(new ModelWeights(fewer)))
                    .hasMessageContaining("lack parameter '" + dropped.name() + "'");
        }
    }

    static ModelWeights shift(ModelWeights weights, float delta) {
        List<NamedTensor> tensors = new ArrayList<>();
        for (NamedTensor t : weights.tensors()) {
            float[] data = t.data().clone();
            for (int i = 0; i < data.length; i++) {
                data[i] += delta;
            }
            tensors.add(new NamedTensor(t.name(), t.shape(), data));
        }
        return new ModelWeights(tensors);
    }
}
