package io.emeth.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.WithdrawSlotReward;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AvroWireFormatTest {

    @Test
    void shouldWriteMagicByteBigEndianIdAndAvroBinaryForAFirstSchema() {
        // Given a fresh registry (first id is 1) and a checkpoint with tiny values
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        SpecificAvroSerializer<IndexerCheckpoint> serializer =
                new SpecificAvroSerializer<>(registry, true, false);
        IndexerCheckpoint checkpoint =
                IndexerCheckpoint.newBuilder()
                        .setContract("ab")
                        .setBlockNumber(1L)
                        .setBlockHash("h")
                        .setRecordedAt(Instant.ofEpochMilli(1L))
                        .build();

        // When
        byte[] bytes = serializer.serialize("indexer-checkpoints", checkpoint);

        // Then: 0x00 | 00 00 00 01 | "ab" (zigzag length 4) | 1 (zigzag 2) | "h" | 1 ms (zigzag 2)
        // | no recent blocks (an empty array: block count 0)
        assertThat(bytes)
                .containsExactly(
                        0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 'a', 'b', 0x02, 0x02, 'h', 0x02, 0x00);
        assertThat(registry.subjects()).containsExactly("indexer-checkpoints-value");
    }

    @Test
    void shouldEncodeUnionIndexAndUint256AsTwosComplementBytes() {
        // Given a command whose payload is the 4th union branch with a reward of 2^64 wei
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        SpecificAvroSerializer<ChainCommand> serializer =
                new SpecificAvroSerializer<>(registry, true, false);
        ChainCommand command =
                ChainCommand.newBuilder()
                        .setCommandId("c")
                        .setAccount("a")
                        .setIssuedAt(Instant.EPOCH)
                        .setPayload(
                                WithdrawSlotReward.newBuilder()
                                        .setSlot(1L)
                                        .setExpectedReward(new BigDecimal(BigInteger.TWO.pow(64)))
                                        .build())
                        .build();

        // When
        byte[] bytes = serializer.serialize("chain-commands", command);

        // Then: header | "c" | "a" | 0 ms | branch 3 (zigzag 6) | slot 1 | non-null (zigzag 2)
        //       | 9 bytes (zigzag 18) | 0x01 followed by eight 0x00
        assertThat(bytes)
                .containsExactly(
                        0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 'c', 0x02, 'a', 0x00, 0x06, 0x02, 0x02,
                        0x12, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
    }

    @Test
    void shouldWriteTheSchemaIdBigEndian() {
        assertThat(AvroWireFormat.header(0x01020304)).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04);
        assertThat(AvroWireFormat.header(Integer.MAX_VALUE))
                .containsExactly(0x00, 0x7f, 0xff, 0xff, 0xff);
    }

    @Test
    void shouldNameSubjectsByTopic() {
        assertThat(AvroWireFormat.subject("job-status", false)).isEqualTo("job-status-value");
        assertThat(AvroWireFormat.subject("job-status", true)).isEqualTo("job-status-key");
    }

    @Test
    void shouldKeepNullAsATombstone() {
        SpecificAvroSerializer<IndexerCheckpoint> serializer =
                new SpecificAvroSerializer<>(new InMemorySchemaRegistry(), true, false);
        SpecificAvroDeserializer<IndexerCheckpoint> deserializer =
                new SpecificAvroDeserializer<>(
                        new InMemorySchemaRegistry(), IndexerCheckpoint.class);

        assertThat(serializer.serialize("t", null)).isNull();
        assertThat(deserializer.deserialize("t", null)).isNull();
    }
}
