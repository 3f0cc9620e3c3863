package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackfillChunksTest {
    private static final String HASH = "0x" + "ab".repeat(32);

    @Test
    void shouldCutChunksAtBlockBoundariesAndEndTheLastAtTheRangeEnd() {
        // Given blocks 10..14 with 3 logs each in a range ending at 20
        List<ChainLog> logs = logs(10, 14, 3);

        // When split into chunks of at least 4 logs
        List<BackfillChunks.Chunk> chunks = BackfillChunks.split(logs, 20, 4);

        // Then no block is split, every log is in one chunk in order, the last ends at 20
        assertThat(chunks).extracting(c -> c.logs().size()).containsExactly(6, 6, 3);
        assertThat(chunks).extracting(BackfillChunks.Chunk::end).containsExactly(11L, 13L, 20L);
        assertThat(chunks.stream().flatMap(c -> c.logs().stream()).toList()).isEqualTo(logs);
    }

    @Test
    void shouldCutASmallerFirstChunk() {
        // Given blocks 10..19 with 3 logs each
        List<ChainLog> logs = logs(10, 19, 3);

        // When the first chunk takes at least 2 logs and the others at least 9
        List<BackfillChunks.Chunk> chunks = BackfillChunks.split(logs, 25, 2, 9);

        // Then the first is one block, the others three, still in order
        assertThat(chunks).extracting(c -> c.logs().size()).containsExactly(3, 9, 9, 9);
        assertThat(chunks)
                .extracting(BackfillChunks.Chunk::end)
                .containsExactly(10L, 13L, 16L, 25L);
        assertThat(chunks.stream().flatMap(c -> c.logs().stream()).toList()).isEqualTo(logs);
    }

    @Test
    void shouldKeepASmallRangeInOneChunk() {
        List<ChainLog> logs = logs(5, 6, 2);

        assertThat(BackfillChunks.split(logs, 9, 1_000))
                .containsExactly(new BackfillChunks.Chunk(logs, 9));
    }

    @Test
    void shouldAnswerOneEmptyChunkForARangeWithoutLogs() {
        assertThat(BackfillChunks.split(List.of(), 42, 10))
                .containsExactly(new BackfillChunks.Chunk(List.of(), 42));
    }

    @Test
    void shouldNotLeaveAnEmptyChunkWhenTheLastBlockFillsOne() {
        // Given exactly 4 logs in one block, the range ending above it
        List<BackfillChunks.Chunk> chunks = BackfillChunks.split(logs(7, 7, 4), 8, 4);

        // Then the logs' chunk is the last one and ends at the range end
        assertThat(chunks).containsExactly(new BackfillChunks.Chunk(logs(7, 7, 4), 8));
    }

    @Test
    void shouldRefuseALogAboveTheRange() {
        assertThatThrownBy(() -> BackfillChunks.split(logs(5, 6, 1), 5, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("block 6 is above the range end 5");
    }

    @Test
    void shouldAskTheStorageApiOncePerDataSetWhenMemoised() throws Exception {
        // Given a source that counts the names it is asked for
        AtomicInteger asked = new AtomicInteger();
        DatasetSizes source =
                datasets -> {
                    asked.addAndGet(datasets.size());
                    Map<String, Long> sizes = new java.util.HashMap<>();
                    datasets.forEach(d -> sizes.put(d, d.equals("unknown") ? null : 7L));
                    return sizes;
                };
        DatasetSizes memo = DatasetSizes.memo(source);

        // When two chunks ask for overlapping data sets
        memo.sizes(List.of("a", "unknown"));
        Map<String, Long> second = memo.sizes(List.of("a", "b", "unknown"));

        // Then each name was asked once, unknown sizes stay unknown
        assertThat(asked).hasValue(3);
        assertThat(second).containsEntry("a", 7L).containsEntry("b", 7L);
        assertThat(second.get("unknown")).isNull();
    }

    private static List<ChainLog> logs(long fromBlock, long toBlock, int perBlock) {
        List<ChainLog> logs = new ArrayList<>();
        for (long b = fromBlock; b <= toBlock; b++) {
            for (int i = 0; i < perBlock; i++) {
                logs.add(new ChainLog("0x01", List.of(), "0x", b, HASH, HASH, i, false));
            }
        }
        return logs;
    }
}
