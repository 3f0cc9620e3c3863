package io.emeth.master.errors;

import io.emeth.master.routing.Inputs;
import io.emeth.schemas.avro.master.MasterDeadLetter;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps one of the master's processors so that an exception fails the task instead of being
 * skipped: Kafka Streams aborts the transaction (nothing a half-processed record wrote is
 * committed: no half reservation, no drifted counters), replaces the thread and retries from the
 * last commit. A record that failed {@link DeadLetters#MAX_ATTEMPTS} times is, when it comes back,
 * written to {@code master-dead-letters} with its error and not processed; the records after it
 * are.
 */
public final class GuardedProcessor<K, V> implements Processor<K, V, String, Object> {
    /** The sink every guarded processor may write dead letters to. */
    public static final String DEAD_LETTERS_SINK = "master-dead-letters-sink";

    private static final Logger log = LoggerFactory.getLogger(GuardedProcessor.class);
    private final String name;
    private final Processor<K, V, String, Object> delegate;
    private final DeadLetters deadLetters;
    private ProcessorContext<String, Object> context;

    public GuardedProcessor(
            String name, Processor<K, V, String, Object> delegate, DeadLetters deadLetters) {
        this.name = name;
        this.delegate = delegate;
        this.deadLetters = deadLetters;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        delegate.init(context);
    }

    @Override
    public void process(Record<K, V> record) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        // the record's id is built only once some record failed (not per heartbeat)
        if (meta != null && deadLetters.anyFailed()) {
            DeadLetters.Failure poison =
                    deadLetters.takeIfPoison(
                            DeadLetters.id(meta.topic(), meta.partition(), meta.offset()));
            if (poison != null) {
                deadLetter(record, meta, poison);
                return;
            }
        }
        try {
            delegate.process(record);
        } catch (RuntimeException e) {
            if (meta != null) {
                String id = DeadLetters.id(meta.topic(), meta.partition(), meta.offset());
                int attempts = deadLetters.failed(id, e);
                log.error(
                        "Processing failed; the task is retried from its last commit [processor:{},"
                                + " record:{}, key:{}, attempt:{} of {}]",
                        name,
                        id,
                        Inputs.clip(String.valueOf(record.key()), 80),
                        attempts,
                        DeadLetters.MAX_ATTEMPTS,
                        e);
            }
            throw e;
        }
    }

    private void deadLetter(Record<K, V> record, RecordMetadata meta, DeadLetters.Failure f) {
        MasterDeadLetter letter =
                DeadLetters.letter(
                        name, meta, record, f.attempts(), f.error(), context.currentSystemTimeMs());
        String key = DeadLetters.id(meta.topic(), meta.partition(), meta.offset());
        context.forward(
                new Record<String, Object>(key, letter, context.currentSystemTimeMs()),
                DEAD_LETTERS_SINK);
        log.error(
                "Record dead-lettered after {} failed attempts; going on with the next [processor:{},"
                        + " record:{}, error:{}]",
                f.attempts(),
                name,
                key,
                Inputs.clip(f.error(), 200));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
