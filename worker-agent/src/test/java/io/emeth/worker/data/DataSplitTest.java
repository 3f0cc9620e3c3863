package io.emeth.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DataSplitTest {

    private static byte[] english(int sentences) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            text.append("Sentence number ").append(i).append(" talks about the weather today. ");
            if (i % 10 == 9) {
                text.append('\n');
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] japanese(int lines) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            text.append("今日は良い天気です。行番号").append(i).append("の文章です\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long count(byte[] bytes, String needle) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.split(java.util.regex.Pattern.quote(needle), -1).length - 1L;
    }

    @Test
    void shouldHoldOutAboutSevenPercentOfEnglishSentences() {
        // Given 300 English sentences
        byte[] data = english(300);

        // When split for three workers
        SplitDataset split = DataSplit.defaults().split(data, "en", 3);

        // Then 21 sentences (7 %) are validation, the rest is in three shards of similar size
        assertThat(count(split.validation(), "talks about")).isEqualTo(21);
        assertThat(split.shards()).hasSize(3);
        long trainingSentences =
                split.shards().stream().mapToLong(s -> count(s, "talks about")).sum();
        assertThat(trainingSentences).isEqualTo(279);
        int largest = split.shards().stream().mapToInt(s -> s.length).max().orElseThrow();
        int smallest = split.shards().stream().mapToInt(s -> s.length).min().orElseThrow();
        assertThat((double) largest / smallest).isLessThan(1.1);
    }

    @Test
    void shouldKeepEveryByteExactlyOnceAndCutOnlyAtSentenceEnds() {
        // Given English text
        byte[] data = english(120);

        // When split
        SplitDataset split = DataSplit.defaults().split(data, Language.EN, 2);

        // Then the parts hold as many bytes as the data set and every part ends a sentence
        int total = split.validation().length;
        for (byte[] shard : split.shards()) {
            total += shard.length;
            String text = new String(shard, StandardCharsets.UTF_8);
            assertThat(text).startsWith("Sentence number").matches("(?s).*today\\. \\n?");
        }
        assertThat(total).isEqualTo(data.length);
    }

    @Test
    void shouldHoldOutAboutTenPercentOfJapaneseLines() {
        // Given 200 Japanese lines
        byte[] data = japanese(200);

        // When split for two workers
        SplitDataset split = DataSplit.defaults().split(data, "ja", 2);

        // Then 20 lines are validation and the shards hold whole lines
        assertThat(count(split.validation(), "\n")).isEqualTo(20);
        assertThat(count(split.shard(0), "\n") + count(split.shard(1), "\n")).isEqualTo(180);
        assertThat(new String(split.shard(1), StandardCharsets.UTF_8)).endsWith("の文章です\n");
        double share = (double) split.validation().length / data.length;
        assertThat(share).isCloseTo(0.10, within(0.01));
    }

    @Test
    void shouldBeDeterministic() {
        byte[] data = english(200);
        SplitDataset first = DataSplit.defaults().split(data, "en", 4);
        SplitDataset second = DataSplit.defaults().split(data.clone(), "en", 4);
        assertThat(second.validation()).isEqualTo(first.validation());
        for (int rank = 0; rank < 4; rank++) {
            assertThat(second.shard(rank)).isEqualTo(first.shard(rank));
        }
    }

    @Test
    void shouldRefuseEmptyAndTooSmallDataSets() {
        assertThatThrownBy(() -> DataSplit.defaults().split(new byte[0], "en", 1))
                .isInstanceOf(InvalidDatasetException.class)
                .hasMessage("data set is empty (0 bytes)");
        byte[] small = "Too small. ".repeat(300).getBytes(StandardCharsets.UTF_8);
        assertThat(small.length).isLessThan(4096);
        assertThatThrownBy(() -> DataSplit.defaults().split(small, "en", 1))
                .hasMessage("data set has 3300 bytes; at least 4096 are needed");
    }

    @Test
    void shouldRefuseADataSetTooSmallForItsWorkers() {
        // Given 5,000 bytes of English, when split for 16 workers, then a shard is too small
        byte[] data = english(100);
        assertThatThrownBy(() -> DataSplit.defaults().split(data, "en", 16))
                .isInstanceOf(InvalidDatasetException.class)
                .hasMessageContaining("too small for 16 worker(s)")
                .hasMessageContaining("at least 257 are needed");

        // And text with fewer sentences than workers is refused naming the count
        byte[] oneSentence = ("x".repeat(5000) + ".").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DataSplit.defaults().split(oneSentence, "en", 2))
                .hasMessageContaining("data set has 1 sentences; 3 are needed");
    }

    @Test
    void shouldRefuseInvalidUtf8NamingTheOffset() {
        // Given valid text with one bad byte, an overlong form, a surrogate and a cut sequence
        byte[] base = english(100);
        byte[][] bad = {
            replaceAt(base, 1000, new byte[] {(byte) 0xFF}),
            replaceAt(base, 1000, new byte[] {(byte) 0xC0, (byte) 0xAF}),
            replaceAt(base, 1000, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
            replaceAt(base, base.length - 1, new byte[] {(byte) 0xE3}),
        };
        int[] offsets = {1000, 1000, 1000, base.length - 1};

        // When split, then each is refused naming the offset
        for (int i = 0; i < bad.length; i++) {
            byte[] data = bad[i];
            assertThatThrownBy(() -> DataSplit.defaults().split(data, "en", 1))
                    .isInstanceOf(InvalidDatasetException.class)
                    .hasMessageContaining("not valid UTF-8 text")
                    .hasMessageContaining("at offset " + offsets[i]);
        }
    }

    @Test
    void shouldRefuseBinaryDataWithNulBytes() {
        byte[] data = replaceAt(english(100), 77, new byte[] {0});
        assertThatThrownBy(() -> DataSplit.defaults().split(data, "en", 1))
                .hasMessageContaining("NUL byte at offset 77");
    }

    @Test
    void shouldRefuseUnknownLanguagesAndWorkerCounts() {
        byte[] data = english(100);
        for (String bad : new String[] {null, "", "fr", "english", "x".repeat(10_000)}) {
            assertThatThrownBy(() -> DataSplit.defaults().split(data, bad, 1))
                    .isInstanceOf(InvalidDatasetException.class)
                    .hasMessageContaining("param.language")
                    .hasMessageContaining("accepted values: en, ja");
        }
        assertThat(DataSplit.defaults().split(data, " EN ", 1).shards()).hasSize(1);
        assertThatThrownBy(() -> DataSplit.defaults().split(data, "en", 0))
                .hasMessageContaining("workers must be in [1, 4096], was 0");
    }

    @Test
    void shouldRefuseDataSetsOverTheLimit() {
        byte[] data = english(200);
        assertThatThrownBy(() -> new DataSplit(257, 5000).split(data, "en", 1))
                .hasMessageContaining("at most 5000 are accepted");
    }

    @Test
    void shouldCutEnglishUnitsAfterTerminatorsQuotesAndLineEnds() {
        byte[] text =
                "He said \"Stop!\" Then left. Really?\nyes\n3.14 is pi"
                        .getBytes(StandardCharsets.UTF_8);
        assertThat(
                        DataSplit.units(text, Language.EN).stream()
                                .map(
                                        u ->
                                                new String(
                                                        Arrays.copyOfRange(text, u[0], u[1]),
                                                        StandardCharsets.UTF_8)))
                .containsExactly(
                        "He said \"Stop!\" ", "Then left. ", "Really?\n", "yes\n", "3.14 is pi");
    }

    private static byte[] replaceAt(byte[] base, int offset, byte[] replacement) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(base, 0, offset);
        out.writeBytes(replacement);
        int rest = offset + replacement.length;
        if (rest < base.length) {
            out.write(base, rest, base.length - rest);
        }
        return out.toByteArray();
    }
}
