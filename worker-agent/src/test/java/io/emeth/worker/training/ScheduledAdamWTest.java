package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScheduledAdamWTest {

    @Test
    void shouldUpdateALargeParameterBlockByBlockToTheSameValues() {
        TorchEngine.locked(
                () -> {
                    try (NDManager manager = NDManager.newBaseManager(GptModel.ENGINE)) {
                        // Given one parameter (11 rows of 7, decayed) and its gradients of 3 steps
                        float[] start = values(77, 1);
                        NDArray whole = manager.create(start, new Shape(11, 7));
                        NDArray blocks = manager.create(start, new Shape(11, 7));
                        ScheduledAdamW unchunked = new ScheduledAdamW(Set.of("p"), 0.1f);
                        ScheduledAdamW chunked = new ScheduledAdamW(Set.of("p"), 0.1f, 15);

                        // When one optimiser updates it whole and the other in blocks of 2 rows
                        // (15 values), 3 steps at changing learning rates
                        for (int step = 1; step <= 3; step++) {
                            float[] gradient = values(77, 10 + step);
                            unchunked.learningRate(0.01f * step);
                            chunked.learningRate(0.01f * step);
                            try (NDArray g1 = manager.create(gradient, new Shape(11, 7));
                                    NDArray g2 = manager.create(gradient, new Shape(11, 7))) {
                                unchunked.update("p", whole, g1);
                                chunked.update("p", blocks, g2);
                            }
                        }

                        // Then both hold the same values, bit for bit, and they moved
                        assertThat(blocks.toFloatArray()).containsExactly(whole.toFloatArray());
                        assertThat(whole.toFloatArray()).isNotEqualTo(start);
                    }
                    return null;
                });
    }

    private static float[] values(int count, long seed) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
