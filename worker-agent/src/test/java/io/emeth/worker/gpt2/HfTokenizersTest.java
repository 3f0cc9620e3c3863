package io.emeth.worker.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.worker.training.TokenEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    void shouldNotTruncateALongText() throws Exception {
        HfTokenizers.writeByteLevel(dir);
        String text = "a long shard of text, ".repeat(1000);

        assertThat(HfTokenizers.load(dir).encode(text)).hasSize(text.length());
    }
}
