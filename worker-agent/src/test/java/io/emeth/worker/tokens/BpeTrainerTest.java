package io.emeth.worker.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BpeTrainerTest {

    @Test
    void shouldLearnTheMostFrequentPairFirst() {
        // Given a text where "ab" is the most frequent pair
        String text = "ab ab ab abc abc xy";

        // When trained
        ByteLevelBpe bpe = BpeTrainer.train(text, 10, "<|endoftext|>");

        // Then the first merge joins a and b, ids continue after the 256 bytes, eos comes last
        assertThat(bpe.merges().get(0)).isEqualTo("a b");
        assertThat(bpe.vocab()).containsEntry("ab", 256);
        assertThat(bpe.eosId()).isEqualTo(256 + bpe.merges().size());
        assertThat(bpe.size()).isEqualTo(bpe.eosId() + 1);
    }

    @Test
    void shouldLearnOnlyPairsSeenTwiceAndStopThere() {
        // Given a text where no pair occurs twice
        ByteLevelBpe bpe = BpeTrainer.train("abcdef", 100, "<|endoftext|>");

        // Then nothing is merged: the bytes and eos alone
        assertThat(bpe.merges()).isEmpty();
        assertThat(bpe.size()).isEqualTo(257);
    }

    @Test
    void shouldLearnTheSameJapaneseTokenizerEachTime() {
        // Given the bundled Japanese text, When trained twice, Then the results are identical
        assertThat(DevTokenizers.japanese()).isEqualTo(DevTokenizers.japanese());
    }

    @Test
    void shouldMapEveryByteToOneDistinctPrintableCharacter() {
        // Given GPT-2's byte table
        char[] table = ByteLevelBpe.byteToUnicode();

        // Then it is a bijection onto printable characters, 'A' and space as GPT-2 has them
        assertThat(new String(table).chars().distinct().count()).isEqualTo(256);
        assertThat(table['A']).isEqualTo('A');
        assertThat(table[' ']).isEqualTo('\u0120'); // GPT-2's "Ġ"
        assertThat(new String(table)).doesNotContainAnyWhitespaces();
    }
}
