package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.chain.rpc.RpcException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class RangeSizerTest {
    @Test
    void shouldHalveOnRefusalAndGrowBackAfterSuccesses() {
        RangeSizer ranges = new RangeSizer(1_000);
        assertThat(ranges.shrink()).isTrue();
        assertThat(ranges.shrink()).isTrue();
        assertThat(ranges.size()).isEqualTo(250);

        for (int i = 0; i < RangeSizer.GROW_AFTER; i++) {
            ranges.succeeded();
        }
        assertThat(ranges.size()).isEqualTo(500);
        for (int i = 0; i < 10 * RangeSizer.GROW_AFTER; i++) {
            ranges.succeeded();
        }
        assertThat(ranges.size()).isEqualTo(1_000);
    }

    @Test
    void shouldStopShrinkingAtOneBlock() {
        RangeSizer ranges = new RangeSizer(3);
        assertThat(ranges.shrink()).isTrue();
        assertThat(ranges.shrink()).isFalse();
        assertThat(ranges.size()).isEqualTo(1);
    }

    @Test
    void shouldEndARangeAtTheLimit() {
        RangeSizer ranges = new RangeSizer(100);
        assertThat(ranges.end(1, 1_000)).isEqualTo(100);
        assertThat(ranges.end(950, 1_000)).isEqualTo(1_000);
    }

    @Test
    void shouldRecogniseProviderLimitErrors() {
        assertThat(
                        RangeSizer.isRangeLimit(
                                new RpcException(
                                        "eth_getLogs",
                                        -32005,
                                        "query returned more than 10000 results",
                                        null)))
                .isTrue();
        assertThat(
                        RangeSizer.isRangeLimit(
                                new RpcException(
                                        "eth_getLogs", -32000, "block range is too wide", null)))
                .isTrue();
        assertThat(RangeSizer.isRangeLimit(new SocketTimeoutException("timeout"))).isTrue();
        assertThat(
                        RangeSizer.isRangeLimit(
                                new RpcException("eth_getLogs", -32602, "invalid params", null)))
                .isFalse();
        assertThat(RangeSizer.isRangeLimit(new IOException("connection refused"))).isFalse();
    }

    @Test
    void shouldRefuseANonPositiveMaximum() {
        assertThatThrownBy(() -> new RangeSizer(0)).hasMessageContaining("0 is not positive");
    }
}
