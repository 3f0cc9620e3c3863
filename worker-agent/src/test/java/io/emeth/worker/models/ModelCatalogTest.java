package io.emeth.worker.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.gpt2.Safetensors;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {

    @TempDir Path modelsDir;

    @Test
    void shouldHoldNoModelsWhenModelsDirDoesNotExist() {
        // Given no models_dir, When scanned, Then the worker holds no models
        assertThat(ModelCatalog.scan(modelsDir.resolve("absent")).names()).isEmpty();
    }

    @Test
    void shouldNameEachCompleteModelDirectoryAndIgnoreHiddenDirsAndFiles() throws Exception {
        // Given two complete model directories, a hidden copy in progress and a stray file
        TestModels.write(modelsDir, "japanese-gpt2-medium");
        TestModels.write(modelsDir, "gpt2-medium");
        Files.createDirectories(modelsDir.resolve(".gpt2-large.partial"));
        Files.writeString(modelsDir.resolve("README.txt"), "models go here");

        // When scanned
        ModelCatalog catalog = ModelCatalog.scan(modelsDir);

        // Then the worker holds the two models, sorted, each findable by name
        assertThat(catalog.names()).containsExactly("gpt2-medium", "japanese-gpt2-medium");
        assertThat(catalog.find("gpt2-medium"))
                .hasValueSatisfying(
                        m -> assertThat(m.dir()).isEqualTo(modelsDir.resolve("gpt2-medium")));
        assertThat(catalog.find("gpt2-large")).isEmpty();
    }

    @Test
    void shouldRefuseAnIncompleteModelDirectoryNamingTheMissingFile() throws Exception {
        // Given a model directory whose weights were never copied
        Path dir = TestModels.write(modelsDir, "gpt2-medium");
        Files.delete(dir.resolve("model.safetensors"));

        // When scanned, Then the error names the directory and the missing file
        assertThatThrownBy(() -> ModelCatalog.scan(modelsDir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("model.safetensors is missing");
    }

    @Test
    void shouldNameEveryMissingFile() throws Exception {
        // Given an empty directory in models_dir
        Files.createDirectories(modelsDir.resolve("gpt2-medium"));

        // When scanned, Then all three files are named
        assertThatThrownBy(() -> ModelCatalog.scan(modelsDir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("config.json, model.safetensors, tokenizer.json are missing");
    }

    @Test
    void shouldRefuseACorruptConfigJsonNamingIt() throws Exception {
        // Given a config.json that is not JSON
        Path dir = TestModels.write(modelsDir, "gpt2-medium");
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": 50257,");

        // When scanned, Then the error names config.json
        assertThatThrownBy(() -> ModelCatalog.scan(modelsDir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(dir.resolve("config.json").toString())
                .hasMessageContaining("not JSON");
    }

    @Test
    void shouldRefuseACorruptTokenizerJsonNamingIt() throws Exception {
        // Given a tokenizer.json cut short
        Path dir = TestModels.write(modelsDir, "gpt2-medium");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"");

        // When scanned, Then the error names the model and tokenizer.json
        assertThatThrownBy(() -> ModelCatalog.scan(modelsDir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("model gpt2-medium")
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }

    @Test
    void shouldRefuseATokenizerLargerThanTheModelsVocabulary() throws Exception {
        // Given a config.json from a model with a smaller vocabulary than the tokenizer's
        Path dir = TestModels.write(modelsDir, "gpt2-medium");
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": 100}");

        // When scanned, Then the error names both files
        assertThatThrownBy(() -> ModelCatalog.scan(modelsDir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining(dir.resolve("config.json").toString())
                .hasMessageContaining("vocab_size 100");
    }

    @Test
    void shouldRefuseAnEmptyWeightsFile() throws Exception {
        // Given a model.safetensors of zero bytes (a failed download)
        Path dir = TestModels.write(modelsDir, "gpt2-medium");
        Files.write(dir.resolve("model.safetensors"), new byte[0]);

        // When scanned, Then the error names the weights file
        assertThatThrownBy(() -> ModelCatalog.scan(modelsDir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(dir.resolve("model.safetensors").toString());
    }

    @Test
    void shouldRefuseAtStartAWeightsFileThatLacksATensorNamingFileAndTensor() throws Exception {
        // Given a model.safetensors of the right format whose header lacks the last LayerNorm
        Path dir = TestModels.write(modelsDir, "gpt2-medium");
        ModelWeights full = Gpt2Model.checkpoint(dir).weights();
        List<NamedTensor> fewer = new ArrayList<>(full.tensors());
        fewer.removeIf(t -> t.name().equals("ln_f.bias"));
        Safetensors.write(dir.resolve("model.safetensors"), fewer);

        // When scanned at start, Then the error names the file and the tensor
        assertThatThrownBy(() -> ModelCatalog.scan(modelsDir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(dir.resolve("model.safetensors").toString())
                .hasMessageContaining("lacks tensor 'ln_f.bias'");
    }

    @Test
    void shouldRefuseAtStartATensorOfAnUnknownDtypeOrShape() throws Exception {
        // Given a header declaring wte as I64 (a file written by another tool)
        Path dir = TestModels.write(modelsDir, "gpt2-medium");
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"wte.weight\":{\"dtype\":\"F32\"");
        assertThat(at).isPositive();
        Files.write(
                weights,
                text.replace(
                                "\"wte.weight\":{\"dtype\":\"F32\"",
                                "\"wte.weight\":{\"dtype\":\"I32\"")
                        .getBytes(StandardCharsets.ISO_8859_1));

        // Then the worker refuses to start, naming the file, tensor and dtype
        assertThatThrownBy(() -> ModelCatalog.scan(modelsDir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(weights.toString())
                .hasMessageContaining("tensor 'wte.weight' has dtype 'I32'");
    }
}
