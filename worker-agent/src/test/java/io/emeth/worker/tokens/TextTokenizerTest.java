package io.emeth.worker.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.worker.data.Language;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

    @TempDir Path dir;

    @Test
    void shouldRoundTripJapaneseTextWithTheDevJapaneseTokenizer() throws Exception {
        // Given the dev Japanese tokenizer written into a model directory
        ByteLevelBpe written =
                DevTokenizers.write(dir, Language.JA, dir.resolve("no-node-modules"));

        // When it is loaded and used on text it was and was not learned from
        try (TextTokenizer tokenizer = TextTokenizer.load(dir.resolve("tokenizer.json"))) {
            String seen = DevTokenizers.japaneseText();
            String unseen = "量子コンピューターの研究は、2026年に大きく進んだ。Emeth ネットワーク 🚀\n\t改行も";
            int[] seenIds = tokenizer.encode(seen);
            int[] unseenIds = tokenizer.encode(unseen);

            // Then both decode to the very same text, in far fewer tokens than bytes for seen text
            assertThat(tokenizer.decode(seenIds)).isEqualTo(seen);
            assertThat(tokenizer.decode(unseenIds)).isEqualTo(unseen);
            assertThat(seenIds.length).isLessThan(seen.getBytes(StandardCharsets.UTF_8).length / 3);
            assertThat(tokenizer.vocabSize()).isEqualTo(written.size());
            assertThat(tokenizer.vocabSize()).isBetween(300, 256 + DevTokenizers.JA_MAX_MERGES + 1);
            assertThat(tokenizer.eosId()).isEqualTo(tokenizer.vocabSize() - 1);
            assertThat(java.util.Arrays.stream(seenIds).max().orElseThrow())
                    .isLessThan(tokenizer.vocabSize());
        }
    }

    @Test
    void shouldNameTheFileWhenTokenizerJsonIsMissing() {
        // Given a directory without tokenizer.json
        Path file = dir.resolve("tokenizer.json");

        // When loaded, Then the error names the file
        assertThatThrownBy(() -> TextTokenizer.load(file))
                .isInstanceOf(InvalidTokenizerException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("missing");
    }

    @Test
    void shouldNameTheFileWhenTokenizerJsonIsNotJson() throws Exception {
        // Given a tokenizer.json cut off half-way
        Path file = dir.resolve("tokenizer.json");
        DevTokenizers.write(dir, Language.JA, dir);
        String whole = Files.readString(file);
        Files.writeString(file, whole.substring(0, whole.length() / 2));

        // When loaded, Then the error names the file and says it is not JSON
        assertThatThrownBy(() -> TextTokenizer.load(file))
                .isInstanceOf(InvalidTokenizerException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not JSON");
    }

    @Test
    void shouldNameTheFileWhenTheTokenizersLibraryRefusesIt() throws Exception {
        // Given JSON that has a model with a vocabulary but an unknown model type
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(
                file,
                "{\"model\":{\"type\":\"Nonsense\",\"vocab\":{\"a\":0,\"<|endoftext|>\":1}}}");

        // When loaded, Then the error names the file and the library's complaint
        assertThatThrownBy(() -> TextTokenizer.load(file))
                .isInstanceOf(InvalidTokenizerException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("tokenizers library");
    }

    @Test
    void shouldRefuseATokenizerWithoutAnEndOfTextToken() throws Exception {
        // Given a tokenizer.json whose vocabulary has no <|endoftext|> or </s>
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}}");

        // When loaded, Then the error says what is missing
        assertThatThrownBy(() -> TextTokenizer.load(file))
                .isInstanceOf(InvalidTokenizerException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("end-of-text");
    }

    @Test
    void shouldRefuseToDecodeAnIdOutsideTheVocabulary() throws Exception {
        // Given the dev Japanese tokenizer
        DevTokenizers.write(dir, Language.JA, dir);
        try (TextTokenizer tokenizer = TextTokenizer.load(dir.resolve("tokenizer.json"))) {
            // When an id past its vocabulary is decoded, Then the error names the id and size
            assertThatThrownBy(() -> tokenizer.decode(new int[] {tokenizer.vocabSize()}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id " + tokenizer.vocabSize());
        }
    }
}
