package io.emeth.worker.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2ModelTest {

    static final Gpt2Config TINY = Gpt2Config.of(2, 16, 2, 50, 32);

    @TempDir Path dir;

    @Test
    void shouldLoadARandomCheckpointAndSaveTheSameBytes() throws Exception {
        Path source = dir.resolve("source");
        Gpt2Model.writeRandom(source, TINY, 7);

        try (Gpt2Model model = Gpt2Model.load(source, 0f, Device.cpu())) {
            assertThat(model.config()).isEqualTo(TINY);
            assertThat(model.weights()).isEqualTo(Gpt2Model.randomWeights(TINY, 7));
            assertThat(model.parameterCount()).isEqualTo(TINY.parameterCount());
            model.save(dir.resolve("copy"));
        }

        assertThat(Files.readAllBytes(dir.resolve("copy/model.safetensors")))
                .isEqualTo(Files.readAllBytes(source.resolve("model.safetensors")));
        assertThat(Gpt2Config.read(dir.resolve("copy"))).isEqualTo(TINY);
    }

    @Test
    void shouldAcceptTheTransformerPrefixAndIgnoreMaskBuffersAndTheTiedHead() throws Exception {
        ModelWeights weights = Gpt2Model.randomWeights(TINY, 3);
        List<NamedTensor> hfStyle = new ArrayList<>();
        for (NamedTensor t : weights.tensors()) {
            hfStyle.add(new NamedTensor("transformer." + t.name(), t.shape(), t.data()));
        }
        hfStyle.add(
                new NamedTensor(
                        "transformer.h.0.attn.bias", new long[] {1, 1, 2, 2}, new float[4]));
        hfStyle.add(new NamedTensor("h.1.attn.masked_bias", new long[] {1}, new float[1]));
        hfStyle.add(
                new NamedTensor(
                        "lm_head.weight", new long[] {50, 16}, weights.get("wte.weight").data()));
        TINY.write(dir);
        Safetensors.write(dir.resolve("model.safetensors"), hfStyle);

        assertThat(Gpt2Model.checkpoint(dir).weights()).isEqualTo(weights);
    }

    @Test
    void shouldNameFileAndTensorWhenATensorIsMissingOrMisshapen() throws Exception {
        ModelWeights weights = Gpt2Model.randomWeights(TINY, 3);
        List<NamedTensor> missing = new ArrayList<>(weights.tensors());
        missing.removeIf(t -> t.name().equals("h.1.mlp.c_fc.bias"));
        TINY.write(dir);
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, missing);

        assertThatThrownBy(() -> Gpt2Model.checkpoint(dir))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("lacks tensor 'h.1.mlp.c_fc.bias'");

        List<NamedTensor> transposed = new ArrayList<>(weights.tensors());
        NamedTensor fc = weights.get("h.0.mlp.c_fc.weight");
        transposed.set(
                transposed.indexOf(fc), new NamedTensor(fc.name(), new long[] {64, 16}, fc.data()));
        Safetensors.write(file, transposed);

        assertThatThrownBy(() -> Gpt2Model.checkpoint(dir))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("tensor 'h.0.mlp.c_fc.weight' of shape [64, 16]")
                .hasMessageContaining("needs [16, 64]");
    }

    @Test
    void shouldRefuseTensorsOfLayersTheConfigLacks() throws Exception {
        Gpt2Model.writeRandom(dir, Gpt2Config.of(3, 16, 2, 50, 32), 1);
        TINY.write(dir); // the config now says 2 layers

        assertThatThrownBy(() -> Gpt2Model.checkpoint(dir))
                .hasMessageContaining("has tensor 'h.2.")
                .hasMessageContaining("not part of the model config.json describes");
    }

    @Test
    void shouldNameTheKeyOfABadConfig() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"n_layer\": 2, \"n_head\": 2}");
        assertThatThrownBy(() -> Gpt2Config.read(dir))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining("config.json: n_embd must be an integer");

        Files.writeString(
                dir.resolve("config.json"),
                "{\"n_layer\":2,\"n_embd\":16,\"n_head\":3,\"vocab_size\":5,\"n_positions\":8}");
        assertThatThrownBy(() -> Gpt2Config.read(dir))
                .hasMessageContaining("n_embd (16) must be divisible by n_head (3)");

        assertThatThrownBy(() -> Gpt2Model.checkpoint(dir.resolve("absent")))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining("config.json cannot be read");
    }

    @Test
    void shouldPredictEachPositionFromEarlierTokensOnly() throws Exception {
        Gpt2Model.writeRandom(dir, TINY, 11);
        try (Gpt2Model model = Gpt2Model.load(dir, 0.1f, Device.cpu())) {
            float[] short3 = model.logits(new long[] {1, 2, 3});
            float[] long5 = model.logits(new long[] {1, 2, 3, 49, 0});

            assertThat(long5).hasSize(5 * 50);
            for (int i = 0; i < short3.length; i++) {
                assertThat(long5[i]).isCloseTo(short3[i], within(1e-5f));
            }
        }
    }
}
