package io.emeth.worker.averaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelAveragingTest {

    private static ModelWeights weights(float[] w, float b) {
        return new ModelWeights(
                List.of(
                        new NamedTensor("w", new long[] {2, 2}, w),
                        new NamedTensor("b", new long[] {1}, new float[] {b})));
    }

    private static final ModelWeights GLOBAL = weights(new float[] {0, 0, 0, 0}, 0);

    @Test
    void shouldAverageWeightedByTokens() {
        // Given three shards that trained on 100, 300 and 600 tokens
        List<ShardUpdate> shards =
                List.of(
                        new ShardUpdate("rank 0", weights(new float[] {1, 2, 3, 4}, 10), 100),
                        new ShardUpdate("rank 1", weights(new float[] {5, 6, 7, 8}, 20), 300),
                        new ShardUpdate("rank 2", weights(new float[] {-1, 0, 1, 2}, 30), 600));

        // When averaged plainly
        ModelWeights next = ModelAveraging.plain().aggregate(GLOBAL, shards);

        // Then each value is 0.1·a + 0.3·b + 0.6·c
        assertThat(next.get("w").data()).containsExactly(1.0f, 2.0f, 3.0f, 4.0f);
        assertThat(next.get("b").data()[0])
                .isCloseTo(0.1f * 10 + 0.3f * 20 + 0.6f * 30, within(1e-5f));
        assertThat(next.names()).containsExactly("w", "b");
    }

    @Test
    void shouldBeDeterministicForTheSameShards() {
        // Given the same shards twice
        List<ShardUpdate> shards =
                List.of(
                        new ShardUpdate("0", weights(new float[] {0.1f, 0.2f, 0.3f, 0.7f}, 1), 7),
                        new ShardUpdate("1", weights(new float[] {0.9f, 0.8f, 0.6f, 0.1f}, 2), 11));

        // When averaged twice, then the results are equal bit for bit
        assertThat(ModelAveraging.plain().aggregate(GLOBAL, shards))
                .isEqualTo(ModelAveraging.plain().aggregate(GLOBAL, shards));
    }

    @Test
    void shouldApplyDilocoNesterovStepOnKnownNumbers() {
        // Given a global value θ = 1 and an outer optimiser with lr 0.5 and momentum 0.9
        ModelWeights previous = weights(new float[] {1, 1, 1, 1}, 1);
        NesterovOuterOptimizer outer = new NesterovOuterOptimizer(0.5, 0.9, null);
        ModelAveraging diloco = new ModelAveraging(outer);

        // When two shards average to 0.8 (Δ = 0.2)
        List<ShardUpdate> round1 =
                List.of(
                        new ShardUpdate(
                                "0", weights(new float[] {0.6f, 0.6f, 0.6f, 0.6f}, 0.6f), 50),
                        new ShardUpdate(
                                "1", weights(new float[] {1.0f, 1.0f, 1.0f, 1.0f}, 1.0f), 50));
        ModelWeights after1 = diloco.aggregate(previous, round1);

        // Then v = 0.2 and θ = 1 − 0.5·(0.2 + 0.9·0.2) = 0.81
        assertThat(outer.momentum().get("w").data()[0]).isCloseTo(0.2f, within(1e-6f));
        assertThat(after1.get("w").data()[0]).isCloseTo(0.81f, within(1e-6f));

        // When the next round's shards average to 0.71 (Δ = 0.1)
        List<ShardUpdate> round2 =
                List.of(
                        new ShardUpdate(
                                "0", weights(new float[] {0.71f, 0.71f, 0.71f, 0.71f}, 0.71f), 1));
        ModelWeights after2 = diloco.aggregate(after1, round2);

        // Then the kept momentum counts: v = 0.9·0.2 + 0.1 = 0.28, θ = 0.81 − 0.5·(0.1 + 0.9·0.28)
        assertThat(outer.momentum().get("b").data()[0]).isCloseTo(0.28f, within(1e-6f));
        assertThat(after2.get("b").data()[0])
                .isCloseTo(0.81f - 0.5f * (0.1f + 0.252f), within(1e-6f));
    }

    @Test
    void shouldEqualPlainAveragingWithOuterLearningRateOneAndNoMomentum() {
        // Given shards
        List<ShardUpdate> shards =
                List.of(
                        new ShardUpdate("0", weights(new float[] {1, 2, 3, 4}, 5), 1),
                        new ShardUpdate("1", weights(new float[] {3, 2, 1, 0}, 1), 3));

        // When DiLoCo runs with lr 1 and momentum 0, then it is plain averaging
        assertThat(ModelAveraging.diloco(1.0, 0.0).aggregate(GLOBAL, shards).get("w").data())
                .containsExactly(ModelAveraging.plain().aggregate(GLOBAL, shards).get("w").data());
    }

    @Test
    void shouldRejectNanAndInfShardsNamingShardAndParameter() {
        // Given one good shard and one with NaN in 'w'
        ShardUpdate good = new ShardUpdate("rank 0", weights(new float[] {1, 2, 3, 4}, 5), 10);
        ShardUpdate nan =
                new ShardUpdate("rank 1", weights(new float[] {1, Float.NaN, 3, 4}, 5), 10);
        ShardUpdate inf =
                new ShardUpdate(
                        "rank 2", weights(new float[] {1, 2, 3, 4}, Float.NEGATIVE_INFINITY), 10);

        // When averaged, then the round is refused naming the shard and the parameter
        assertThatThrownBy(() -> ModelAveraging.plain().aggregate(GLOBAL, List.of(good, nan)))
                .isInstanceOfSatisfying(
                        InvalidShardException.class,
                        e -> {
                            assertThat(e.shardId()).isEqualTo("rank 1");
                            assertThat(e.parameter()).isEqualTo("w");
                        })
                .hasMessageContaining("shard rank 1 parameter 'w' holds NaN at index 1");
        assertThatThrownBy(() -> ModelAveraging.plain().aggregate(GLOBAL, List.of(good, inf)))
                .hasMessageContaining("shard rank 2 parameter 'b' holds -Infinity");
    }

    @Test
    void shouldRejectMismatchedShapesMissingParametersAndNoTokens() {
        ModelWeights wrongShape =
                new ModelWeights(
                        List.of(
                                new NamedTensor("w", new long[] {4}, new float[4]),
                                new NamedTensor("b", new long[] {1}, new float[1])));
        assertThatThrownBy(
                        () ->
                                ModelAveraging.plain()
                                        .aggregate(
                                                GLOBAL,
                                                List.of(new ShardUpdate("r3", wrongShape, 1))))
                .isInstanceOfSatisfying(
                        InvalidShardException.class, e -> assertThat(e.parameter()).isEqualTo("w"))
                .hasMessageContaining("shard r3 parameter 'w' has shape [4], expected [2, 2]");

        ModelWeights missing =
                new ModelWeights(List.of(new NamedTensor("w", new long[] {2, 2}, new float[4])));
        assertThatThrownBy(
                        () ->
                                ModelAveraging.plain()
                                        .aggregate(
                                                GLOBAL, List.of(new ShardUpdate("r4", missing, 1))))
                .hasMessageContaining("shard r4 lacks parameter 'b'");

        assertThatThrownBy(
                        () ->
                                ModelAveraging.plain()
                                        .aggregate(
                                                GLOBAL, List.of(new ShardUpdate("r5", GLOBAL, 0))))
                .hasMessageContaining("shard r5 reports 0 tokens");

        assertThatThrownBy(() -> ModelAveraging.plain().aggregate(GLOBAL, List.of()))
                .hasMessageContaining("at least one shard");
    }

    @Test
    void shouldRejectBadOuterSettings() {
        assertThatThrownBy(() -> ModelAveraging.diloco(0, 0.9))
                .hasMessageContaining("outer learning rate");
        assertThatThrownBy(() -> ModelAveraging.diloco(0.7, 1.0))
                .hasMessageContaining("outer momentum");
        assertThatThrownBy(() -> ModelAveraging.diloco(Double.NaN, 0.9))
                .hasMessageContaining("outer learning rate");
    }

    @Test
    void shouldMeasureAFiniteUpdateNormEvenForA1e30Shard() {
        // Given a shard 3-4-0-0-12 away from the global model, and one holding 1e30
        ModelWeights near = weights(new float[] {3, 4, 0, 0}, 12);
        ModelWeights huge = weights(new float[] {1e30f, 0, 0, 0}, 0);

        // Then their update norms are 13 and 1e30: finite, so a bound can refuse the second
        assertThat(ModelAveraging.updateNorm(GLOBAL, near)).isCloseTo(13.0, within(1e-9));
        assertThat(ModelAveraging.updateNorm(GLOBAL, huge)).isCloseTo(1e30, within(1e24));
    }
}
