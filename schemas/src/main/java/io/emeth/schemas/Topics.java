package io.emeth.schemas;

import io.emeth.schemas.avro.admin.AdminCommand;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.ChainNodeEvent;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.TxJournal;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.registry.SchemaRegistryClient;
import io.emeth.schemas.registry.SchemaRegistryClients;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.schemas.registry.SpecificAvroSerde;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the pipeline with its key serde (UTF-8 strings) and value serde (the topic's one
 * Avro type, Confluent wire format), built once from the registry config and immutable. Each topic
 * has one value type: an envelope whose {@code payload} union holds the event kinds.
 *
 * <p>An optional name prefix gives a test its own set of topics (and subjects) on a shared broker.
 */
public final class Topics {
    public static final String CHAIN_JOB_EVENTS = "chain-job-events";
    public static final String CHAIN_NODE_EVENTS = "chain-node-events";
    public static final String INDEXER_CHECKPOINTS = "indexer-checkpoints";
    public static final String CHAIN_ALERTS = "chain-alerts";
    public static final String CHAIN_COMMANDS = "chain-commands";
    public static final String CHAIN_TX_RESULTS = "chain-tx-results";
    public static final String CHAIN_TX_JOURNAL = "chain-tx-journal";
    public static final String WORKER_EVENTS = "worker-events";
    public static final String WORKER_ASSIGNMENTS = "worker-assignments";
    public static final String TRAINING_EVENTS = "training-events";
    public static final String ADMIN_COMMANDS = "admin-commands";
    public static final String JOB_STATUS = "job-status";
    public static final String WORKER_STATUS = "worker-status";

    /** Partitions of the keyed topics; job and worker topics share it so they co-partition. */
    public static final int DEFAULT_PARTITIONS = 6;

    private static final Map<String, String> DELETE = Map.of(TopicSpec.CLEANUP_POLICY, "delete");
    private static final Map<String, String> COMPACT = Map.of(TopicSpec.CLEANUP_POLICY, "compact");
    // the master rebuilds job state from chain-job-events, so it is kept for good
    private static final Map<String, String> DELETE_NEVER_EXPIRE =
            Map.of(TopicSpec.CLEANUP_POLICY, "delete", "retention.ms", "-1");

    // the broker stamps each worker event as it arrives, so that the master judges a
    // registration's age against its arrival, which the worker cannot set
    private static final Map<String, String> DELETE_APPEND_TIME =
            Map.of(TopicSpec.CLEANUP_POLICY, "delete", "message.timestamp.type", "LogAppendTime");

    private final SerdeConfig serdeConfig;
    private final SchemaRegistryClient registry;
    private final String prefix;
    private final Serde<String> keys = Serdes.String();
    private final Topic<String, ChainJobEvent> chainJobEvents;
    private final Topic<String, ChainNodeEvent> chainNodeEvents;
    private final Topic<String, IndexerCheckpoint> indexerCheckpoints;
    private final Topic<String, ChainAlert> chainAlerts;
    private final Topic<String, ChainCommand> chainCommands;
    private final Topic<String, ChainTxResult> chainTxResults;
    private final Topic<String, TxJournal> chainTxJournal;
    private final Topic<String, WorkerEvent> workerEvents;
    private final Topic<String, WorkerAssignment> workerAssignments;
    private final Topic<String, TrainingEvent> trainingEvents;
    private final Topic<String, AdminCommand> adminCommands;
    private final Topic<String, JobView> jobStatus;
    private final Topic<String, WorkerView> workerStatus;
    private final List<Topic<String, ?>> all;
    private final List<TopicSpec> specs;

    private Topics(SerdeConfig serdeConfig, SchemaRegistryClient registry, String prefix) {
        this.serdeConfig = serdeConfig;
        this.registry = registry;
        this.prefix = prefix;
        chainJobEvents = topic(CHAIN_JOB_EVENTS, ChainJobEvent.class);
        chainNodeEvents = topic(CHAIN_NODE_EVENTS, ChainNodeEvent.class);
        indexerCheckpoints = topic(INDEXER_CHECKPOINTS, IndexerCheckpoint.class);
        chainAlerts = topic(CHAIN_ALERTS, ChainAlert.class);
        chainCommands = topic(CHAIN_COMMANDS, ChainCommand.class);
        chainTxResults = topic(CHAIN_TX_RESULTS, ChainTxResult.class);
        chainTxJournal = topic(CHAIN_TX_JOURNAL, TxJournal.class);
        workerEvents = topic(WORKER_EVENTS, WorkerEvent.class);
        workerAssignments = topic(WORKER_ASSIGNMENTS, WorkerAssignment.class);
        trainingEvents = topic(TRAINING_EVENTS, TrainingEvent.class);
        adminCommands = topic(ADMIN_COMMANDS, AdminCommand.class);
        jobStatus = topic(JOB_STATUS, JobView.class);
        workerStatus = topic(WORKER_STATUS, WorkerView.class);
        all =
                List.of(
                        chainJobEvents,
                        chainNodeEvents,
                        indexerCheckpoints,
                        chainAlerts,
                        chainCommands,
                        chainTxResults,
                        chainTxJournal,
                        workerEvents,
                        workerAssignments,
                        trainingEvents,
                        adminCommands,
                        jobStatus,
                        workerStatus);
        specs =
                List.of(
                        spec(CHAIN_JOB_EVENTS, DEFAULT_PARTITIONS, DELETE_NEVER_EXPIRE),
                        spec(CHAIN_NODE_EVENTS, DEFAULT_PARTITIONS, DELETE),
                        spec(INDEXER_CHECKPOINTS, 1, COMPACT),
                        spec(CHAIN_ALERTS, 1, DELETE),
                        spec(CHAIN_COMMANDS, DEFAULT_PARTITIONS, DELETE),
                        spec(CHAIN_TX_RESULTS, DEFAULT_PARTITIONS, DELETE),
                        // the gateway's memory of every command it executed, kept for good
                        spec(CHAIN_TX_JOURNAL, DEFAULT_PARTITIONS, COMPACT),
                        spec(WORKER_EVENTS, DEFAULT_PARTITIONS, DELETE_APPEND_TIME),
                        spec(WORKER_ASSIGNMENTS, DEFAULT_PARTITIONS, DELETE),
                        spec(TRAINING_EVENTS, DEFAULT_PARTITIONS, DELETE),
                        spec(ADMIN_COMMANDS, DEFAULT_PARTITIONS, DELETE),
                        spec(JOB_STATUS, DEFAULT_PARTITIONS, COMPACT),
                        spec(WORKER_STATUS, DEFAULT_PARTITIONS, COMPACT));
    }

    /** The topics with serdes using the registry of {@code serdeConfig}. */
    public static Topics create(SerdeConfig serdeConfig) {
        return create(serdeConfig, "");
    }

    /**
     * The topics with every name prefixed by {@code topicPrefix} (e.g. a test's unique name), so
     * tests sharing a broker never see each other's data.
     */
    public static Topics create(SerdeConfig serdeConfig, String topicPrefix) {
        return new Topics(
                serdeConfig,
                SchemaRegistryClients.create(serdeConfig),
                topicPrefix == null ? "" : topicPrefix);
    }

    /** From Kafka-style configs holding {@value SerdeConfig#REGISTRY_URL} and friends. */
    public static Topics create(Map<String, ?> serdeConfigs) {
        return create(SerdeConfig.fromMap(serdeConfigs));
    }

    public Topic<String, ChainJobEvent> chainJobEvents() {
        return chainJobEvents;
    }

    public Topic<String, ChainNodeEvent> chainNodeEvents() {
        return chainNodeEvents;
    }

    public Topic<String, IndexerCheckpoint> indexerCheckpoints() {
        return indexerCheckpoints;
    }

    public Topic<String, ChainAlert> chainAlerts() {
        return chainAlerts;
    }

    public Topic<String, ChainCommand> chainCommands() {
        return chainCommands;
    }

    public Topic<String, ChainTxResult> chainTxResults() {
        return chainTxResults;
    }

    /** The gateway's journal: per command id, its signed transactions and outcome. */
    public Topic<String, TxJournal> chainTxJournal() {
        return chainTxJournal;
    }

    public Topic<String, WorkerEvent> workerEvents() {
        return workerEvents;
    }

    public Topic<String, WorkerAssignment> workerAssignments() {
        return workerAssignments;
    }

    public Topic<String, TrainingEvent> trainingEvents() {
        return trainingEvents;
    }

    public Topic<String, AdminCommand> adminCommands() {
        return adminCommands;
    }

    public Topic<String, JobView> jobStatus() {
        return jobStatus;
    }

    public Topic<String, WorkerView> workerStatus() {
        return workerStatus;
    }

    /** Every topic, in the order of the architecture's topic table. */
    public List<Topic<String, ?>> all() {
        return all;
    }

    /** The topic with this (prefixed) name, for tools such as {@code emeth topics tail}. */
    public Optional<Topic<String, ?>> byName(String name) {
        return all.stream().filter(topic -> topic.name().equals(name)).findFirst();
    }

    /** How to create every topic: partitions and configs, in the order of {@link #all()}. */
    public List<TopicSpec> specs() {
        return specs;
    }

    /** The creation spec of one topic. */
    public TopicSpec spec(Topic<?, ?> topic) {
        return specs.stream()
                .filter(spec -> spec.name().equals(topic.name()))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "not a pipeline topic: " + topic.name()));
    }

    /**
     * A value serde for any generated class, sharing this instance's registry client: for state
     * stores and internal topics.
     */
    public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
        return new SpecificAvroSerde<>(registry, type, serdeConfig.autoRegister(), false);
    }

    /** The registry client behind every serde. */
    public SchemaRegistryClient registry() {
        return registry;
    }

    public SerdeConfig serdeConfig() {
        return serdeConfig;
    }

    /** The prefix of every topic name; empty in production. */
    public String prefix() {
        return prefix;
    }

    private <V extends SpecificRecord> Topic<String, V> topic(String name, Class<V> type) {
        return new Topic<>(prefix + name, keys, valueSerde(type));
    }

    private TopicSpec spec(String name, int partitions, Map<String, String> configs) {
        return new TopicSpec(prefix + name, partitions, configs);
    }
}
