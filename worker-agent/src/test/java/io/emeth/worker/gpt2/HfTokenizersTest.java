package io.emeth.worker.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.worker.training.TokenEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizersTest {

    @TempDir Path dir;

    @Test
    void shouldEncodeEachByteAsItsOwnIdAndDecodeBack() throws Exception {
        HfTokenizers.writeByteLevel(dir);
        TokenEncoder tokenizer = HfTokenizers.load(dir);
        String text = "Hello, wörld 日本";

        int[] ids = tokenizer.encode(text);

        assertThat(ids).isEqualTo(TokenEncoder.ofBytes(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    @Test
    void shouldShareOneTokenizerPerFileAcrossJobsAndReloadAReplacedFile() throws Exception {
        // Given a model directory's tokenizer loaded by one job
        HfTokenizers.writeByteLevel(dir);
        TokenEncoder first = HfTokenizers.LOADER.load(dir);

        // When the next job loads it, Then it gets the same tokenizer (no second native copy)
        assertThat(HfTokenizers.LOADER.load(dir)).isSameAs(first);

        // And when the operator replaces the file, the next job gets the new one
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, Files.readString(file).replace("\"version\"", "\"version\" "));
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000_000_000L));
        assertThat(HfTokenizers.LOADER.load(dir)).isNotSameAs(first);
    }

    @Test
    void shouldNameTheMissingFile() {
        // Given a model directory without tokenizer.json, When loaded, Then the error names it
        assertThatThrownBy(() -> HfTokenizers.LOADER.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }

    @Test
    void shouldNotTruncateALongText() throws Exception {
        HfTokenizers.writeByteLevel(dir);
        String text = "a long shard of text, ".repeat(1000);

        assertThat(HfTokenizers.load(dir).encode(text)).hasSize(text.length());
    }
}
