package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IndexerSinkTest {
    @Test
    void shouldReadTheRecentBlockHashesHeaderOfOlderCheckpoints() {
        Map<Long, String> recent =
                new TreeMap<>(Map.of(7L, "0x" + "ab".repeat(32), 9L, "0x" + "cd".repeat(32)));
        assertThat(IndexerSink.decodeRecent(encodeRecent(recent))).isEqualTo(recent);
    }

    /** The header form older indexers wrote. */
    private static String encodeRecent(Map<Long, String> recent) {
        return recent.entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(";"));
    }

    @Test
    void shouldSkipDamagedEntriesOfTheHeader() {
        String text = "7:0x" + "ab".repeat(32) + ";x:y;;-1:0x" + "cd".repeat(32) + ";8:nothex;9";
        assertThat(IndexerSink.decodeRecent(text)).containsOnlyKeys(7L);
        assertThat(IndexerSink.decodeRecent(null)).isEmpty();
    }
}
