package io.emeth.deploy.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.common.config.ConfigLoader;
import io.emeth.worker.models.ModelCatalog;
import io.emeth.worker.tokens.DevTokenizers;
import io.emeth.worker.tokens.TextTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code emeth dev up}'s models: two complete model directories the worker accepts, GPT-2's real
 * tokenizer for {@code en}, weights laid out as Hugging Face's GPT-2 files, and configs that point
 * at them. The tests share one home, as {@code dev up} run again does: each leaves the models
 * whole.
 */
class DevModelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path home;

    private static StackLayout layout() {
        return new StackLayout(Path.of(System.getProperty("emeth.root", "..")), home);
    }

    @Test
    void shouldCreateBothDevModelsAsTheWorkerAcceptsThem() throws Exception {
        // When the dev models are written
        DevModels.write(layout());

        // Then a worker scanning the dev models_dir holds both
        Path dir = DevModels.dir(layout());
        assertThat(ModelCatalog.scan(dir).names()).containsExactly("dev-gpt2-en", "dev-gpt2-ja");

        // And dev-gpt2-en speaks GPT-2's BPE, its config matching the tokenizer
        JsonNode config = JSON.readTree(dir.resolve("dev-gpt2-en/config.json").toFile());
        assertThat(config.get("model_type").asText()).isEqualTo("gpt2");
        assertThat(config.get("vocab_size").asInt()).isEqualTo(50_257);
        assertThat(config.get("eos_token_id").asInt()).isEqualTo(50_256);
        try (TextTokenizer en = TextTokenizer.load(dir.resolve("dev-gpt2-en/tokenizer.json"))) {
            assertThat(en.encode("Hello world")).containsExactly(15496, 995);
        }

        // And dev-gpt2-ja round-trips Japanese text
        try (TextTokenizer ja = TextTokenizer.load(dir.resolve("dev-gpt2-ja/tokenizer.json"))) {
            String text = DevTokenizers.japaneseText();
            assertThat(ja.decode(ja.encode(text))).isEqualTo(text);
            JsonNode jaConfig = JSON.readTree(dir.resolve("dev-gpt2-ja/config.json").toFile());
            assertThat(jaConfig.get("vocab_size").asInt()).isEqualTo(ja.vocabSize());
        }
    }

    @Test
    void shouldWriteWeightsWithHuggingFaceGpt2NamesAndShapes() throws Exception {
        // When the dev models are written
        DevModels.write(layout());

        // Then the weights file is safetensors with GPT-2's tensors, shapes and byte offsets
        Path file = DevModels.dir(layout()).resolve("dev-gpt2-en/model.safetensors");
        JsonNode header = safetensorsHeader(file);
        int d = DevModels.EMBD;
        assertThat(shape(header, "wte.weight")).isEqualTo("[50257,64]");
        assertThat(shape(header, "wpe.weight")).isEqualTo("[" + DevModels.POSITIONS + ",64]");
        assertThat(shape(header, "h.0.attn.c_attn.weight")).isEqualTo("[64," + 3 * d + "]");
        assertThat(shape(header, "h.1.mlp.c_fc.weight")).isEqualTo("[64," + 4 * d + "]");
        assertThat(shape(header, "h.1.mlp.c_proj.weight")).isEqualTo("[" + 4 * d + ",64]");
        assertThat(shape(header, "ln_f.bias")).isEqualTo("[64]");
        assertThat(header.has("lm_head.weight")).as("the LM head is tied to wte").isFalse();
        // 2 embeddings + 12 per layer + ln_f's 2, and the metadata entry
        assertThat(header.size()).isEqualTo(2 + 12 * DevModels.LAYERS + 2 + 1);
        long end = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("__metadata__")) {
                assertThat(e.getValue().get("dtype").asText()).isEqualTo("F32");
                end = Math.max(end, e.getValue().get("data_offsets").get(1).asLong());
            }
        }
        long headerLength = readHeaderLength(file);
        assertThat(headerLength % 8).isZero();
        assertThat(Files.size(file)).isEqualTo(8 + headerLength + end);
    }

    @Test
    void shouldKeepModelsThatCheckOutAndRewriteABrokenOne() throws Exception {
        // Given the dev models written once, the en tokenizer marked old, the ja weights lost
        DevModels.write(layout());
        Path dir = DevModels.dir(layout());
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(dir.resolve("dev-gpt2-en/tokenizer.json"), old);
        Files.delete(dir.resolve("dev-gpt2-ja/model.safetensors"));

        // When written again (dev up a second time)
        DevModels.write(layout());

        // Then the complete one is left alone and the broken one is whole again
        assertThat(Files.getLastModifiedTime(dir.resolve("dev-gpt2-en/tokenizer.json")))
                .isEqualTo(old);
        assertThat(ModelCatalog.scan(dir).names()).containsExactly("dev-gpt2-en", "dev-gpt2-ja");
    }

    @Test
    void shouldPointTheDevConfigsAtTheModels() throws Exception {
        // When dev up writes its configs
        StackState state =
                new StackState(
                        "127.0.0.1:29092",
                        "http://127.0.0.1:28081",
                        "http://127.0.0.1:29090",
                        "http://127.0.0.1:28545",
                        31337,
                        "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                        "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
                        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        DevConfigs.write(layout(), state, 25000);

        // Then the master names the dev models per program and language
        JsonNode master = JSON.readTree(DevConfigs.master(layout()).toFile());
        assertThat(master.get("models").toString())
                .isEqualTo("{\"0\":{\"en\":\"dev-gpt2-en\",\"ja\":\"dev-gpt2-ja\"}}");
        assertThat(ConfigLoader.master(DevConfigs.master(layout())).emethContractAddress())
                .isEqualTo(state.emethContractAddress());

        // And both workers' models_dir is where the models are
        for (int n = 1; n <= 2; n++) {
            assertThat(ConfigLoader.worker(DevConfigs.worker(layout(), n)).modelsDir())
                    .isEqualTo(DevModels.dir(layout()));
        }
    }

    private static String shape(JsonNode header, String tensor) {
        return header.get(tensor).get("shape").toString();
    }

    private static long readHeaderLength(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            in.read(b);
            return b.flip().getLong();
        }
    }

    private static JsonNode safetensorsHeader(Path file) throws IOException {
        long length = readHeaderLength(file);
        try (FileChannel in = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate((int) length);
            in.read(b, 8);
            return JSON.readTree(new String(b.array(), StandardCharsets.UTF_8));
        }
    }
}
