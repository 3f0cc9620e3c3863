package io.emeth.chain;

import io.emeth.common.config.KafkaSettings;
import io.emeth.schemas.registry.SerdeConfig;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * The Kafka side shared by the indexer and the gateway: client properties and registry settings
 * from node-common's {@link KafkaSettings}, and the check that the topics they write exist.
 */
public final class ChainKafka {
    private ChainKafka() {}

    /** Kafka client properties: the bootstrap servers plus the configured extras (TLS/SASL). */
    public static Map<String, Object> kafkaProperties(KafkaSettings kafka) {
        Map<String, Object> props = new HashMap<>(kafka.properties());
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }

    /** How the Avro serdes reach the registry (credentials from the Kafka extras, if any). */
    public static SerdeConfig serdeConfig(KafkaSettings kafka) {
        Map<String, Object> serde = new HashMap<>(kafka.properties());
        serde.put(SerdeConfig.REGISTRY_URL, kafka.schemaRegistryUrl().toString());
        return SerdeConfig.fromMap(serde);
    }

    /**
     * Fails, naming every missing topic and the fix, unless all {@code names} exist: brokers in
     * production do not auto-create topics, and a silently auto-created topic would get the wrong
     * partitions and cleanup policy.
     */
    public static void requireTopics(Map<String, Object> kafkaProperties, Collection<String> names)
            throws InterruptedException {
        Set<String> existing;
        try (Admin admin = Admin.create(kafkaProperties)) {
            existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot list the topics of Kafka at "
                            + kafkaProperties.get("bootstrap.servers")
                            + ": "
                            + e.getMessage(),
                    e);
        }
        Set<String> missing = new TreeSet<>(names);
        missing.removeAll(existing);
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    "topics "
                            + missing
                            + " do not exist on "
                            + kafkaProperties.get("bootstrap.servers")
                            + ": create them with `emeth topics create`");
        }
    }

    /**
     * Runs {@code writes} in one transaction of {@code producer} and commits it. When another
     * instance with the same transactional id took over (see {@link #isFence}), throws what {@code
     * fenced} makes of it without touching the producer again; on any other Kafka failure aborts
     * the transaction, so that nothing of it is visible, and rethrows.
     */
    public static void inTransaction(
            Producer<?, ?> producer,
            Runnable writes,
            Function<KafkaException, ? extends RuntimeException> fenced) {
        try {
            producer.beginTransaction();
            writes.run();
            producer.commitTransaction();
        } catch (KafkaException e) {
            if (isFence(e)) {
                throw fenced.apply(e);
            }
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    /**
     * Whether {@code failure}, or any exception it wraps, says that another instance initialised
     * this producer's transactional id: a fenced producer, a stale producer epoch, or a transaction
     * the coordinator no longer lets this producer finish (with Kafka 4's transactions a fenced
     * producer often sees this one first), or a consumer whose static member id another instance
     * took. A fenced instance must stop: initialising the id again would fence the instance that
     * took over, and the two would fight.
     */
    public static boolean isFence(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException
                    || t instanceof FencedInstanceIdException
                    || t instanceof InvalidProducerEpochException
                    || t instanceof InvalidTxnStateException) {
                return true;
            }
        }
        return false;
    }
}
