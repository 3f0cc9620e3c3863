package io.emeth.registry;

import io.emeth.schemas.registry.CompatibilityLevel;
import io.emeth.schemas.registry.ConfigRecord;
import io.emeth.schemas.registry.RegisteredSchema;
import io.emeth.schemas.registry.RegistryState;
import io.emeth.schemas.registry.SchemaRecord;
import io.emeth.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's service: the shared {@link RegistryState} rules, made durable by a {@link
 * KafkaSchemaLog}. Reads answer from the state; writes are decided and appended one at a time, so
 * ids and versions are assigned once, and a write returns only after it is in the state.
 */
final class DurableRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableRegistry.class);

    private final RegistryState state = new RegistryState();
    private final ReentrantLock writes = new ReentrantLock();
    private final Duration timeout;
    private final KafkaSchemaLog schemaLog;

    DurableRegistry(String bootstrapServers, String topic, Duration timeout) {
        this.timeout = timeout;
        this.schemaLog = KafkaSchemaLog.open(bootstrapServers, topic, timeout, this::apply);
        log.info("Schema registry state loaded [topic:{}, maxId:{}]", topic, state.maxId());
    }

    RegistryState state() {
        return state;
    }

    /** Registers the schema (or finds it) under the subject; the answer includes its version. */
    RegisteredSchema register(String subject, Schema schema) {
        return writing(
                () -> {
                    RegistryState.Registration registration =
                            state.prepareRegistration(subject, schema);
                    if (registration instanceof RegistryState.Existing existing) {
                        return existing.registered();
                    }
                    SchemaRecord record = ((RegistryState.Append) registration).record();
                    schemaLog.append(
                            SchemasTopicFormat.schemaKey(record.subject(), record.version()),
                            SchemasTopicFormat.schemaValue(record));
                    log.info(
                            "Registered schema [subject:{}, version:{}, id:{}]",
                            subject,
                            record.version(),
                            record.id());
                    return state.version(subject, record.version());
                });
    }

    /** Sets the level of the subject, or the global level when {@code subject} is null. */
    void setCompatibility(String subject, CompatibilityLevel level) {
        writing(
                () -> {
                    schemaLog.append(
                            SchemasTopicFormat.configKey(subject),
                            SchemasTopicFormat.configValue(level));
                    log.info(
                            "Set compatibility [subject:{}, level:{}]",
                            subject == null ? "(global)" : subject,
                            level);
                    return level;
                });
    }

    /** Removes the subject's own level and returns it; 40408 when it had none. */
    CompatibilityLevel deleteSubjectCompatibility(String subject) {
        return writing(
                () -> {
                    CompatibilityLevel previous =
                            state.subjectCompatibility(subject)
                                    .orElseThrow(() -> notConfigured(subject));
                    schemaLog.append(SchemasTopicFormat.configKey(subject), null);
                    return previous;
                });
    }

    static SchemaRegistryException notConfigured(String subject) {
        return new SchemaRegistryException(
                404,
                SchemaRegistryException.SUBJECT_LEVEL_NOT_CONFIGURED,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    @Override
    public void close() {
        schemaLog.close();
    }

    private void apply(String key, String value) {
        SchemasTopicFormat.decode(key, value)
                .ifPresent(
                        change -> {
                            if (change instanceof SchemaRecord record) {
                                state.apply(record);
                            } else {
                                state.apply((ConfigRecord) change);
                            }
                        });
    }

    private <T> T writing(Supplier<T> write) {
        boolean locked;
        try {
            locked = writes.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(
                    500, SchemaRegistryException.OPERATION_TIMEOUT, "interrupted", e);
        }
        if (!locked) {
            throw new SchemaRegistryException(
                    500,
                    SchemaRegistryException.OPERATION_TIMEOUT,
                    "the registry is busy: another write did not finish within " + timeout);
        }
        try {
            return write.get();
        } finally {
            writes.unlock();
        }
    }
}
