package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HexTest {
    @Test
    void shouldAcceptOnlyZeroXAndSixtyFourHexDigitsAsAWord() {
        assertThat(Hex.isWord("0x" + "aB09".repeat(16))).isTrue();
        assertThat(Hex.isWord("0x" + "a".repeat(63))).isFalse();
        assertThat(Hex.isWord("0x" + "a".repeat(65))).isFalse();
        assertThat(Hex.isWord("0X" + "a".repeat(64))).isFalse();
        assertThat(Hex.isWord("0x" + "g" + "a".repeat(63))).isFalse();
        assertThat(Hex.isWord("0x" + "\u0663" + "a".repeat(63))).isFalse(); // an Arabic-Indic 3
        assertThat(Hex.isWord(null)).isFalse();
    }

    @Test
    void shouldAcceptOnlyWholeBytesAsData() {
        assertThat(Hex.isData("0x")).isTrue();
        assertThat(Hex.isData("0x00ff")).isTrue();
        assertThat(Hex.isData("0x0")).isFalse();
        assertThat(Hex.isData("00ff")).isFalse();
        assertThat(Hex.isData("0x0g")).isFalse();
        assertThat(Hex.isData(null)).isFalse();
    }

    @Test
    void shouldReadBytes() {
        assertThat(Hex.bytes("0x")).isEmpty();
        assertThat(Hex.bytes("0x00fF7a")).containsExactly(0x00, 0xff, 0x7a);
        assertThat(Hex.bytes("0xabc")).containsExactly(0x0a, 0xbc);
        assertThat(Hex.bytes("ab")).containsExactly(0xab);
        assertThatThrownBy(() -> Hex.bytes("0x0g"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'g' is not a hex digit");
    }
}
