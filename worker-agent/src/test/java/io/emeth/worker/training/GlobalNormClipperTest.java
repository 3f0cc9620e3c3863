package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalNormClipperTest {

    @Test
    void shouldScaleAllGradientsByTheGlobalNorm() {
        try (NDManager manager = NDManager.newBaseManager(GptModel.ENGINE)) {
            // Given two parameters whose gradients are (3, 0) and (0, 4): global norm 5
            List<NDArray> parameters = gradients(manager);

            // When clipped to norm 1
            double norm = GlobalNormClipper.clip(parameters, 1.0);

            // Then the direction is kept and the norm becomes 1: (0.6, 0) and (0, 0.8)
            assertThat(norm).isCloseTo(5.0, within(1e-6));
            assertThat(parameters.get(0).getGradient().toFloatArray())
                    .containsExactly(new float[] {0.6f, 0f}, within(1e-6f));
            assertThat(parameters.get(1).getGradient().toFloatArray())
                    .containsExactly(new float[] {0f, 0.8f}, within(1e-6f));
        }
    }

    @Test
    void shouldLeaveGradientsBelowTheLimitAlone() {
        try (NDManager manager = NDManager.newBaseManager(GptModel.ENGINE)) {
            List<NDArray> parameters = gradients(manager);

            double norm = GlobalNormClipper.clip(parameters, 10.0);

            assertThat(norm).isCloseTo(5.0, within(1e-6));
            assertThat(parameters.get(0).getGradient().toFloatArray()).containsExactly(3f, 0f);
        }
    }

    private static List<NDArray> gradients(NDManager manager) {
        NDArray a = manager.create(new float[] {1f, 1f});
        NDArray b = manager.create(new float[] {1f, 1f});
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        GptModel.ENGINE_LOCK.lock();
        try (GradientCollector collector =
                Engine.getEngine(GptModel.ENGINE).newGradientCollector()) {
            NDArray loss =
                    a.mul(manager.create(new float[] {3f, 0f}))
                            .sum()
                            .add(b.mul(manager.create(new float[] {0f, 4f})).sum());
            collector.backward(loss);
        } finally {
            GptModel.ENGINE_LOCK.unlock();
        }
        return List.of(a, b);
    }
}
