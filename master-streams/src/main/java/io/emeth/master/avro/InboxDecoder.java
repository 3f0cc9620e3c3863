package io.emeth.master.avro;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes the values of one of the master's inbox topics in front of the processor that reads it;
 * records of its other sources pass as they are. The inboxes are read as bytes and decoded here,
 * inside the processor's {@code GuardedProcessor}, not by the source: so a value that cannot be
 * read (corrupt, or JSON from a master older than the move to Avro) follows the master's rule for a
 * poison record (the task fails, is retried, and after the third failure the record goes to {@code
 * master-dead-letters} with the reason) instead of being skipped with a log line.
 */
public final class InboxDecoder<V> implements Processor<String, Object, String, Object> {
    private final String inbox;
    private final Deserializer<V> values;
    private final Processor<String, Object, String, Object> delegate;
    private ProcessorContext<String, Object> context;

    /**
     * @param inbox the inbox topic whose values arrive as bytes
     * @param values their deserializer
     * @param delegate the processor the decoded records go to
     */
    @SuppressWarnings("unchecked")
    public InboxDecoder(
            String inbox, Deserializer<V> values, Processor<String, ?, String, Object> delegate) {
        this.inbox = inbox;
        this.values = values;
        this.delegate = (Processor<String, Object, String, Object>) delegate;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        delegate.init(context);
    }

    @Override
    public void process(Record<String, Object> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElse(null);
        if (record.value() instanceof byte[] bytes && inbox.equals(topic)) {
            Object value = values.deserialize(topic, record.headers(), bytes);
            delegate.process(record.withValue(value));
        } else {
            delegate.process(record);
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
