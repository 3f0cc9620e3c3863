package io.emeth.worker.assignments;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition Kafka's default partitioner (and Kafka Streams' default stream partitioner) puts a
 * string key in: {@code toPositive(murmur2(UTF-8 bytes of the key)) % partitions}. A worker reads
 * only the partition of its own address, so a thousand workers do not each read every assignment.
 */
public final class KeyPartition {

    private KeyPartition() {}

    /**
     * @throws IllegalArgumentException if {@code partitions} is not positive
     */
    public static int of(String key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(bytes)) % partitions;
    }
}
