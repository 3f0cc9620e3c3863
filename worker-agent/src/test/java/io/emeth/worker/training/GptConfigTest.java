package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GptConfigTest {

    @Test
    void shouldSizePresetsAsNamed() {
        assertThat(GptConfig.tiny().parameterCount()).isBetween(20_000L, 100_000L);
        assertThat(GptConfig.small1M().parameterCount()).isBetween(900_000L, 1_200_000L);
        assertThat(GptConfig.medium10M().parameterCount()).isBetween(9_500_000L, 11_000_000L);
        assertThat(GptConfig.tiny().vocabSize()).isEqualTo(GptConfig.BYTE_VOCAB);
    }

    @Test
    void shouldRejectBadValuesNamingTheField() {
        GptConfig t = GptConfig.tiny();
        assertThatThrownBy(() -> new GptConfig(256, 32, 30, 4, 2, 4, 0f, 1e-3f, 0f, 1f, 8, 1))
                .hasMessage("GptConfig.embeddingDim (30) must be divisible by GptConfig.heads (4)");
        assertThatThrownBy(() -> new GptConfig(256, 0, 32, 2, 2, 4, 0f, 1e-3f, 0f, 1f, 8, 1))
                .hasMessageStartingWith("GptConfig.contextLength must be in [1, 65536], was 0");
        assertThatThrownBy(() -> new GptConfig(256, 32, 32, 2, 0, 4, 0f, 1e-3f, 0f, 1f, 8, 1))
                .hasMessageStartingWith("GptConfig.layers");
        assertThatThrownBy(() -> new GptConfig(256, 32, 32, 2, 2, 4, 1f, 1e-3f, 0f, 1f, 8, 1))
                .hasMessageStartingWith("GptConfig.dropout");
        assertThatThrownBy(() -> new GptConfig(256, 32, 32, 2, 2, 4, 0f, Float.NaN, 0f, 1f, 8, 1))
                .hasMessageStartingWith("GptConfig.learningRate");
        assertThatThrownBy(() -> new GptConfig(256, 32, 32, 2, 2, 4, 0f, 1e-3f, -1f, 1f, 8, 1))
                .hasMessageStartingWith("GptConfig.weightDecay");
        assertThatThrownBy(
                        () ->
                                new GptConfig(
                                        256,
                                        32,
                                        32,
                                        2,
                                        2,
                                        4,
                                        0f,
                                        1e-3f,
                                        0f,
                                        Float.POSITIVE_INFINITY,
                                        8,
                                        1))
                .hasMessageStartingWith("GptConfig.gradClip");
        assertThatThrownBy(() -> t.withBatchSize(0)).hasMessageStartingWith("GptConfig.batchSize");
        assertThatThrownBy(() -> t.withDropout(-0.1f)).hasMessageStartingWith("GptConfig.dropout");
    }
}
