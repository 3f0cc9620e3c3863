package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenBatcherTest {

    private static final byte[] CORPUS =
            "abcdefghijklmnopqrstuvwxyz0123456789".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldPairEachInputWithTheNextToken() {
        // Given a 36-byte corpus, context 5, batch 2
        TokenBatcher batcher = new TokenBatcher(CORPUS, 5, 2);

        // When read in order
        TokenBatcher.Batch first = batcher.sequential().get(0);

        // Then the targets are the inputs shifted by one
        assertThat(batcher.windows()).isEqualTo(7);
        assertThat(batcher.batchesPerEpoch()).isEqualTo(4);
        assertThat(batcher.tokensPerEpoch()).isEqualTo(35);
        assertThat(ByteTokenizer.decode(first.inputs())).isEqualTo("abcdefghij");
        assertThat(ByteTokenizer.decode(first.targets())).isEqualTo("bcdefghijk");
        assertThat(first.rows()).isEqualTo(2);
        assertThat(batcher.sequential().get(3).rows()).isEqualTo(1);
    }

    @Test
    void shouldShuffleDeterministicallyPerSeedAndEpoch() {
        // Given one corpus
        TokenBatcher batcher = new TokenBatcher(CORPUS, 3, 4);

        // When epochs are drawn
        List<String> epoch1 = windows(batcher.epoch(42, 1));
        List<String> again = windows(batcher.epoch(42, 1));
        List<String> epoch2 = windows(batcher.epoch(42, 2));
        List<String> otherSeed = windows(batcher.epoch(7, 1));

        // Then the same (seed, epoch) repeats, others reorder, and every window appears once
        assertThat(again).isEqualTo(epoch1);
        assertThat(epoch2).isNotEqualTo(epoch1);
        assertThat(otherSeed).isNotEqualTo(epoch1);
        assertThat(epoch1).doesNotHaveDuplicates().hasSize(batcher.windows());
        assertThat(Set.copyOf(epoch2)).isEqualTo(new HashSet<>(epoch1));
    }

    private static List<String> windows(List<TokenBatcher.Batch> batches) {
        List<String> windows = new ArrayList<>();
        for (TokenBatcher.Batch batch : batches) {
            String inputs = ByteTokenizer.decode(batch.inputs());
            for (int r = 0; r < batch.rows(); r++) {
                windows.add(inputs.substring(r * batch.columns(), (r + 1) * batch.columns()));
            }
        }
        return windows;
    }

    @Test
    void shouldRejectACorpusShorterThanOneWindow() {
        assertThatThrownBy(() -> new TokenBatcher(new byte[64], 64, 1))
                .hasMessage("corpus has 64 tokens; a window of contextLength 64 needs at least 65");
        assertThatThrownBy(() -> new TokenBatcher(CORPUS, 0, 1))
                .hasMessageContaining("contextLength");
        assertThatThrownBy(() -> new TokenBatcher(CORPUS, 4, 0)).hasMessageContaining("batchSize");
    }
}
