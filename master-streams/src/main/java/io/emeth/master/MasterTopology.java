package io.emeth.master;

import io.emeth.master.avro.InboxDecoder;
import io.emeth.master.avro.MasterSerde;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.errors.DeadLetters;
import io.emeth.master.errors.GuardedProcessor;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.jobs.JobCoordinator;
import io.emeth.master.matching.PoolProcessor;
import io.emeth.master.routing.AdminCommandRouter;
import io.emeth.master.routing.TxResultRouter;
import io.emeth.master.routing.WorkerEventRouter;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.master.JobInboxRecord;
import io.emeth.schemas.avro.master.MasterDeadLetter;
import io.emeth.schemas.avro.master.PoolInboxRecord;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The master's topology, built purely from its config and topics (no I/O), so that tests drive it
 * with {@code TopologyTestDriver}. Named processors and their sources:
 *
 * <pre>
 * worker-events    → worker-events-router  (signature, whitelist)  → pool-inbox
 * admin-commands   → admin-commands-router (disconnect → pool-inbox, decline → job-inbox)
 * chain-tx-results → tx-results-router     (this account's outcomes) → job-inbox
 *
 * pool-inbox (key: pool id)      → pool-matcher    → worker-assignments (TrainingAssigned,
 *                                                    TrainingCanceled), chain-commands (ProcessJob),
 *                                                    worker-status, job-inbox
 * chain-job-events, training-events,
 * job-inbox (key: jobId)         → job-coordinator → worker-assignments (RoundOpened),
 *                                                    chain-commands (SubmitResult, DeclineJob),
 *                                                    job-status, pool-inbox
 * every processor                → master-dead-letters (a record that failed every attempt)
 * </pre>
 *
 * Every value is Avro, the internal ones too: the inboxes and the stores map the processors' Java
 * records to generated classes ({@link MasterSerde}). An inbox is read as bytes and decoded by an
 * {@link InboxDecoder} inside its processor's guard, so that a value it cannot read is a poison
 * record like any other.
 *
 * <p>Each processor is a {@link GuardedProcessor}: an exception fails the task, which Streams
 * retries from the last commit; a record that keeps failing goes to the dead-letter topic.
 *
 * <p>Matching for a pool runs in the one partition its key maps to, so a worker is never reserved
 * twice; jobs spread over every partition and instance. The two inboxes make a loop (a pool answers
 * its jobs, a job asks its pool), which Streams' own repartition topics cannot express; {@link
 * InternalTopics} creates them.
 */
public final class MasterTopology {
    static final String WORKER_EVENTS_SOURCE = "worker-events-source";
    static final String ADMIN_COMMANDS_SOURCE = "admin-commands-source";
    static final String TX_RESULTS_SOURCE = "chain-tx-results-source";
    static final String POOL_INBOX_SOURCE = "pool-inbox-source";
    static final String CHAIN_JOB_EVENTS_SOURCE = "chain-job-events-source";
    static final String TRAINING_EVENTS_SOURCE = "training-events-source";
    static final String JOB_INBOX_SOURCE = "job-inbox-source";

    private MasterTopology() {}

    public static Topology build(MasterStreamsConfig config, Topics topics) {
        Topology t = new Topology();
        StringDeserializer keys = new StringDeserializer();
        // the inboxes are Avro like every topic, mapped from the processors' own records
        MasterSerde<PoolMessage> poolMessages =
                MasterSerde.of(topics, PoolMessage.class, PoolInboxRecord.class);
        MasterSerde<JobMessage> jobMessages =
                MasterSerde.of(topics, JobMessage.class, JobInboxRecord.class);
        String poolInbox = InternalTopics.poolInbox(config, topics);
        String jobInbox = InternalTopics.jobInbox(config, topics);

        source(t, WORKER_EVENTS_SOURCE, topics.workerEvents());
        source(t, ADMIN_COMMANDS_SOURCE, topics.adminCommands());
        source(t, TX_RESULTS_SOURCE, topics.chainTxResults());
        source(t, CHAIN_JOB_EVENTS_SOURCE, topics.chainJobEvents());
        source(t, TRAINING_EVENTS_SOURCE, topics.trainingEvents());
        // read as bytes, decoded inside the guarded processor: an unreadable value is poison
        t.addSource(POOL_INBOX_SOURCE, keys, new ByteArrayDeserializer(), poolInbox);
        t.addSource(JOB_INBOX_SOURCE, keys, new ByteArrayDeserializer(), jobInbox);

        DeadLetters deadLetters = new DeadLetters();
        t.addProcessor(
                WorkerEventRouter.NAME,
                guarded(WorkerEventRouter.NAME, () -> new WorkerEventRouter(config), deadLetters),
                WORKER_EVENTS_SOURCE);
        t.addProcessor(
                AdminCommandRouter.NAME,
                guarded(AdminCommandRouter.NAME, () -> new AdminCommandRouter(config), deadLetters),
                ADMIN_COMMANDS_SOURCE);
        t.addProcessor(
                TxResultRouter.NAME,
                guarded(TxResultRouter.NAME, () -> new TxResultRouter(config), deadLetters),
                TX_RESULTS_SOURCE);
        t.addProcessor(
                PoolProcessor.NAME,
                guarded(
                        PoolProcessor.NAME,
                        () ->
                                new InboxDecoder<>(
                                        poolInbox,
                                        poolMessages.deserializer(),
                                        new PoolProcessor(config)),
                        deadLetters),
                POOL_INBOX_SOURCE);
        t.addProcessor(
                JobCoordinator.NAME,
                guarded(
                        JobCoordinator.NAME,
                        () ->
                                new InboxDecoder<>(
                                        jobInbox,
                                        jobMessages.deserializer(),
                                        new JobCoordinator(config)),
                        deadLetters),
                CHAIN_JOB_EVENTS_SOURCE,
                TRAINING_EVENTS_SOURCE,
                JOB_INBOX_SOURCE);
        for (StoreBuilder<?> store : PoolProcessor.stores(topics)) {
            t.addStateStore(store, PoolProcessor.NAME);
        }
        for (StoreBuilder<?> store : JobCoordinator.stores(topics)) {
            t.addStateStore(store, JobCoordinator.NAME);
        }

        var keysOut = Serdes.String().serializer();
        t.addSink(
                Outbox.POOL_INBOX_SINK,
                poolInbox,
                keysOut,
                poolMessages.serializer(),
                WorkerEventRouter.NAME,
                AdminCommandRouter.NAME,
                JobCoordinator.NAME);
        t.addSink(
                Outbox.JOB_INBOX_SINK,
                jobInbox,
                keysOut,
                jobMessages.serializer(),
                AdminCommandRouter.NAME,
                TxResultRouter.NAME,
                PoolProcessor.NAME);
        t.addSink(
                Outbox.ASSIGNMENTS_SINK,
                topics.workerAssignments().name(),
                keysOut,
                topics.workerAssignments().valueSerde().serializer(),
                PoolProcessor.NAME,
                JobCoordinator.NAME);
        t.addSink(
                Outbox.COMMANDS_SINK,
                topics.chainCommands().name(),
                keysOut,
                topics.chainCommands().valueSerde().serializer(),
                PoolProcessor.NAME,
                JobCoordinator.NAME);
        t.addSink(
                Outbox.JOB_STATUS_SINK,
                topics.jobStatus().name(),
                keysOut,
                topics.jobStatus().valueSerde().serializer(),
                JobCoordinator.NAME);
        t.addSink(
                Outbox.WORKER_STATUS_SINK,
                topics.workerStatus().name(),
                keysOut,
                topics.workerStatus().valueSerde().serializer(),
                PoolProcessor.NAME);
        t.addSink(
                GuardedProcessor.DEAD_LETTERS_SINK,
                InternalTopics.deadLetters(topics),
                keysOut,
                topics.valueSerde(MasterDeadLetter.class).serializer(),
                WorkerEventRouter.NAME,
                AdminCommandRouter.NAME,
                TxResultRouter.NAME,
                PoolProcessor.NAME,
                JobCoordinator.NAME);
        return t;
    }

    /**
     * The processor behind a {@link GuardedProcessor}: failures fail the task, poison is set aside.
     */
    private static <K, V> ProcessorSupplier<K, V, String, Object> guarded(
            String name,
            Supplier<Processor<K, V, String, Object>> processor,
            DeadLetters deadLetters) {
        return () -> new GuardedProcessor<>(name, processor.get(), deadLetters);
    }

    private static <V> void source(Topology t, String name, Topic<String, V> topic) {
        Deserializer<V> values = topic.valueSerde().deserializer();
        t.addSource(name, new StringDeserializer(), values, topic.name());
    }
}
