package io.emeth.worker.assignments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.eth.NodeIdentity;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class KeyPartitionTest {

    @Test
    void shouldPickThePartitionKafkasDefaultPartitionerPicks() {
        // Given many worker addresses and partition counts
        for (int i = 0; i < 200; i++) {
            String address = NodeIdentity.generate().address();
            for (int partitions : new int[] {1, 3, 6, 50}) {
                // Then our partition is the producer's (and Kafka Streams') for the same key bytes
                assertThat(KeyPartition.of(address, partitions))
                        .isEqualTo(
                                BuiltInPartitioner.partitionForKey(
                                        address.getBytes(StandardCharsets.UTF_8), partitions));
            }
        }
    }

    @Test
    void shouldDependOnTheExactKeySpelling() {
        // A lower-cased address is another key: workers and the master both use the checksummed
        // form
        String address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        assertThat(KeyPartition.of(address, 6)).isBetween(0, 5);
        assertThat(KeyPartition.of(address, 1)).isZero();
    }

    @Test
    void shouldRefuseNoPartitions() {
        assertThatThrownBy(() -> KeyPartition.of("0xabc", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions must be >= 1, was 0");
    }
}
