package io.emeth.worker.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelToolTest {

    @TempDir Path dir;

    @Test
    void shouldSampleAndEvaluateADeliveredResultZip() throws Exception {
        Path model = dir.resolve("model");
        Gpt2Model.writeRandom(model, Gpt2Config.of(2, 32, 2, HfTokenizers.BYTE_LEVEL_VOCAB, 64), 3);
        HfTokenizers.writeByteLevel(model);
        Path zip = dir.resolve("result.zip");
        try (OutputStream out = Files.newOutputStream(zip);
                ZipOutputStream entries = new ZipOutputStream(out)) {
            for (String name :
                    new String[] {"model.safetensors", "config.json", "tokenizer.json"}) {
                entries.putNextEntry(new ZipEntry(name));
                Files.copy(model.resolve(name), entries);
                entries.closeEntry();
            }
            entries.putNextEntry(new ZipEntry("hashchain.json"));
            entries.write("{}".getBytes());
            entries.closeEntry();
        }

        try (ModelTool tool = ModelTool.open(zip, dir.resolve("scratch"), HfTokenizers.LOADER)) {
            String greedy = tool.sample("Hello", 12, 0, 0, 1);
            assertThat(tool.sample("Hello", 12, 0, 0, 2)).isEqualTo(greedy);
            assertThat(greedy).isNotEmpty();
            assertThat(tool.sample("Hello", 12, 1.0, 40, 7))
                    .isEqualTo(tool.sample("Hello", 12, 1.0, 40, 7));
            // an untrained model is close to uniform over its 257 tokens: loss ≈ ln 257 = 5.55
            assertThat(tool.loss("The quick brown fox jumps over the lazy dog. ".repeat(10), 32))
                    .isBetween(5.0, 6.2);
        }
    }

    @Test
    void shouldNameWhatIsWrongWithAModelPath() {
        assertThatThrownBy(
                        () ->
                                ModelTool.open(
                                        dir.resolve("absent.zip"),
                                        dir.resolve("s"),
                                        HfTokenizers.LOADER))
                .hasMessageContaining("absent.zip is neither a model directory nor a result zip");
    }
}
