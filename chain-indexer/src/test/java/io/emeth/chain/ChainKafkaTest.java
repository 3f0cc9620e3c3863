package io.emeth.chain;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class ChainKafkaTest {
    @Test
    void shouldTakeEveryKindOfFenceForAFence() {
        assertThat(ChainKafka.isFence(new ProducerFencedException("epoch 3 > 2"))).isTrue();
        assertThat(ChainKafka.isFence(new InvalidProducerEpochException("stale epoch"))).isTrue();
        assertThat(ChainKafka.isFence(new InvalidTxnStateException("ongoing txn aborted")))
                .isTrue();
        assertThat(ChainKafka.isFence(new FencedInstanceIdException("member id taken"))).isTrue();
    }

    @Test
    void shouldFindAFenceWrappedTwice() {
        KafkaException wrapped =
                new KafkaException(
                        "commit failed",
                        new IllegalStateException(
                                "send failed", new InvalidTxnStateException("fenced")));

        assertThat(ChainKafka.isFence(wrapped)).isTrue();
    }

    @Test
    void shouldNotTakeATransientFailureForAFence() {
        assertThat(ChainKafka.isFence(new TimeoutException("broker slow"))).isFalse();
        assertThat(ChainKafka.isFence(new KafkaException("x", new TimeoutException("y"))))
                .isFalse();
        assertThat(ChainKafka.isFence(null)).isFalse();
    }
}
