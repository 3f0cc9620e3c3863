package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.master.avro.InboxDecoder;
import io.emeth.master.avro.MasterSerde;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.errors.DeadLetters;
import io.emeth.master.errors.GuardedProcessor;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.master.MasterDeadLetter;
import io.emeth.schemas.avro.master.PoolInboxRecord;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool-inbox value the master cannot read, such as the JSON of a master before the move to Avro,
 * is a poison record like any other: the pool matcher fails (the task is retried from its last
 * commit) with an error naming the inbox, and when the record comes back after the third failure it
 * goes to {@code master-dead-letters} with that error, and the next record is processed.
 */
class PoolInboxPoisonTest {
    private static final String INBOX = "emeth-master-pool-inbox";
    private static final long T0 = 1_900_000_000_000L;

    private final MasterStreamsConfig config = TestConfigs.config("nvm");
    private final Topics topics = TestConfigs.mockTopics();
    private final MasterSerde<PoolMessage> inbox =
            MasterSerde.of(topics, PoolMessage.class, PoolInboxRecord.class);
    private MockProcessorContext<String, Object> context;
    private GuardedProcessor<String, Object> processor;

    @BeforeEach
    void init() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(T0);
        PoolStores.add(context, topics);
        processor =
                new GuardedProcessor<>(
                        PoolProcessor.NAME,
                        new InboxDecoder<>(INBOX, inbox.deserializer(), new PoolProcessor(config)),
                        new DeadLetters());
        processor.init(context);
    }

    @Test
    void shouldDeadLetterJsonOnThePoolInboxAfterThreeFailuresAndGoOn() {
        // Given the JSON an older master wrote at offset 7 of the pool inbox
        byte[] json =
                "{\"type\":\"left\",\"worker\":\"0xw\",\"at\":1,\"reason\":\"bye\"}"
                        .getBytes(StandardCharsets.UTF_8);

        // When Streams gives it to the matcher three times (a retry after each failed task)
        for (int attempt = 1; attempt <= DeadLetters.MAX_ATTEMPTS; attempt++) {
            context.setRecordMetadata(INBOX, 0, 7);
            assertThatThrownBy(() -> processor.process(record(json)))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining(INBOX)
                    .hasMessageContaining("reset tool");
        }
        assertThat(context.forwarded(GuardedProcessor.DEAD_LETTERS_SINK)).isEmpty();

        // Then the fourth time it is set aside with its error and its text
        context.setRecordMetadata(INBOX, 0, 7);
        processor.process(record(json));
        List<MasterDeadLetter> letters =
                context.forwarded(GuardedProcessor.DEAD_LETTERS_SINK).stream()
                        .map(f -> (MasterDeadLetter) f.record().value())
                        .toList();
        assertThat(letters).hasSize(1);
        MasterDeadLetter letter = letters.get(0);
        assertThat(letter.getProcessor()).isEqualTo(PoolProcessor.NAME);
        assertThat(letter.getTopic()).isEqualTo(INBOX);
        assertThat(letter.getOffset()).isEqualTo(7);
        assertThat(letter.getAttempts()).isEqualTo(DeadLetters.MAX_ATTEMPTS);
        assertThat(letter.getError()).contains("JSON PoolMessage");
        assertThat(letter.getValue()).isEqualTo(new String(json, StandardCharsets.UTF_8));
        // and the letter itself is Avro on its topic
        byte[] bytes =
                topics.valueSerde(MasterDeadLetter.class)
                        .serializer()
                        .serialize("master-dead-letters", letter);
        assertThat(bytes[0]).isZero();
        assertThat(
                        topics.valueSerde(MasterDeadLetter.class)
                                .deserializer()
                                .deserialize("master-dead-letters", bytes))
                .isEqualTo(letter);

        // And the next record, an Avro registration, is read and processed
        context.setRecordMetadata(INBOX, 0, 8);
        byte[] registration =
                inbox.serializer()
                        .serialize(
                                INBOX,
                                new PoolMessage.WorkerRegistration(
                                        "0xw", T0, 100, "cpu", "http://w", null, List.of()));
        processor.process(record(registration));
        List<WorkerView> views =
                context.forwarded(Outbox.WORKER_STATUS_SINK).stream()
                        .map(f -> (WorkerView) f.record().value())
                        .toList();
        assertThat(views)
                .singleElement()
                .satisfies(
                        v -> {
                            assertThat(v.getWorker()).isEqualTo("0xw");
                            assertThat(v.getState()).isEqualTo(WorkerState.IDLE);
                        });
    }

    private Record<String, Object> record(byte[] value) {
        return new Record<>(config.poolId(), value, context.currentSystemTimeMs());
    }
}
