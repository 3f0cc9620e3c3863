package io.emeth.master;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.JsonSerde;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.jobs.JobCoordinator;
import io.emeth.master.matching.PoolProcessor;
import io.emeth.master.routing.AdminCommandRouter;
import io.emeth.master.routing.TxResultRouter;
import io.emeth.master.routing.WorkerEventRouter;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
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
 * </pre>
 *
 * Matching for a pool runs in the one partition its key maps to, so a worker is never reserved
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
        JsonSerde<PoolMessage> poolMessages = JsonSerde.of(PoolMessage.class);
        JsonSerde<JobMessage> jobMessages = JsonSerde.of(JobMessage.class);
        String poolInbox = InternalTopics.poolInbox(config, topics);
        String jobInbox = InternalTopics.jobInbox(config, topics);

        source(t, WORKER_EVENTS_SOURCE, topics.workerEvents());
        source(t, ADMIN_COMMANDS_SOURCE, topics.adminCommands());
        source(t, TX_RESULTS_SOURCE, topics.chainTxResults());
        source(t, CHAIN_JOB_EVENTS_SOURCE, topics.chainJobEvents());
        source(t, TRAINING_EVENTS_SOURCE, topics.trainingEvents());
        t.addSource(POOL_INBOX_SOURCE, keys, poolMessages.deserializer(), poolInbox);
        t.addSource(JOB_INBOX_SOURCE, keys, jobMessages.deserializer(), jobInbox);

        t.addProcessor(
                WorkerEventRouter.NAME, () -> new WorkerEventRouter(config), WORKER_EVENTS_SOURCE);
        t.addProcessor(
                AdminCommandRouter.NAME,
                () -> new AdminCommandRouter(config),
                ADMIN_COMMANDS_SOURCE);
        t.addProcessor(TxResultRouter.NAME, () -> new TxResultRouter(config), TX_RESULTS_SOURCE);
        t.addProcessor(PoolProcessor.NAME, () -> new PoolProcessor(config), POOL_INBOX_SOURCE);
        t.addProcessor(
                JobCoordinator.NAME,
                () -> new JobCoordinator(config),
                CHAIN_JOB_EVENTS_SOURCE,
                TRAINING_EVENTS_SOURCE,
                JOB_INBOX_SOURCE);
        for (StoreBuilder<?> store : PoolProcessor.stores()) {
            t.addStateStore(store, PoolProcessor.NAME);
        }
        for (StoreBuilder<?> store : JobCoordinator.stores()) {
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
        return t;
    }

    private static <V> void source(Topology t, String name, Topic<String, V> topic) {
        Deserializer<V> values = topic.valueSerde().deserializer();
        t.addSource(name, new StringDeserializer(), values, topic.name());
    }
}
