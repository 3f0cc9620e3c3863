package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteTokenizerTest {

    @Test
    void shouldTokenizeAnyLanguageAsUtf8Bytes() {
        // Given English and Japanese text
        String text = "GPT 日本語";

        // When encoded
        long[] tokens = ByteTokenizer.encode(text);

        // Then each byte is a token in 0..255 (日 is three) and decoding restores the text
        assertThat(tokens).hasSize(4 + 9);
        assertThat(java.util.Arrays.stream(tokens)).allMatch(t -> t >= 0 && t <= 255);
        assertThat(tokens[4]).isEqualTo(0xE6);
        assertThat(ByteTokenizer.decode(tokens)).isEqualTo(text);
    }

    @Test
    void shouldRejectIdsOutsideTheByteRange() {
        assertThatThrownBy(() -> ByteTokenizer.decode(new long[] {65, 256}))
                .hasMessageContaining("token 256 at position 1 is not a byte");
        assertThatThrownBy(() -> ByteTokenizer.decode(new long[] {-1}))
                .hasMessageContaining("token -1 at position 0");
    }
}
