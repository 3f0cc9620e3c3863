package io.emeth.master;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.errors.DeadLetters;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's two internal topics, {@code <application.id>-pool-inbox} (keyed by pool) and {@code
 * <application.id>-job-inbox} (keyed by jobId), and the checks the application needs before it
 * starts: every pipeline topic it reads or writes exists, and the job-keyed inputs it joins in one
 * task have the same partition count (they are co-partitioned by key). The inboxes are created here
 * with that count, since a topology that loops (pool ↔ job) cannot use Streams' own repartition
 * topics.
 */
public final class InternalTopics {
    private static final Logger log = LoggerFactory.getLogger(InternalTopics.class);
    private static final Map<String, String> INBOX_CONFIG =
            Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(7L * 86_400_000));

    private InternalTopics() {}

    public static String poolInbox(MasterStreamsConfig config, Topics topics) {
        return topics.prefix() + config.master().applicationId() + "-pool-inbox";
    }

    public static String jobInbox(MasterStreamsConfig config, Topics topics) {
        return topics.prefix() + config.master().applicationId() + "-job-inbox";
    }

    /** Records that failed every attempt ({@link DeadLetters}), JSON, never read by the master. */
    public static String deadLetters(Topics topics) {
        return topics.prefix() + DeadLetters.TOPIC;
    }

    /** The pipeline topics the topology reads and writes. */
    static List<Topic<String, ?>> pipelineTopics(Topics topics) {
        return List.of(
                topics.chainJobEvents(),
                topics.trainingEvents(),
                topics.workerEvents(),
                topics.adminCommands(),
                topics.chainTxResults(),
                topics.workerAssignments(),
                topics.chainCommands(),
                topics.jobStatus(),
                topics.workerStatus());
    }

    /**
     * Checks the pipeline topics and creates the missing inboxes.
     *
     * @throws IllegalStateException naming a missing topic or a partition mismatch, with the fix
     */
    public static void prepare(Admin admin, MasterStreamsConfig config, Topics topics) {
        try {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            for (Topic<String, ?> topic : pipelineTopics(topics)) {
                if (!existing.contains(topic.name())) {
                    throw new IllegalStateException(
                            "topic "
                                    + topic.name()
                                    + " does not exist on Kafka; create the pipeline's topics"
                                    + " first with `emeth topics create`");
                }
            }
            String jobEvents = topics.chainJobEvents().name();
            String training = topics.trainingEvents().name();
            Map<String, TopicDescription> described =
                    admin.describeTopics(List.of(jobEvents, training))
                            .allTopicNames()
                            .get(60, TimeUnit.SECONDS);
            int partitions = described.get(jobEvents).partitions().size();
            int trainingPartitions = described.get(training).partitions().size();
            if (partitions != trainingPartitions) {
                throw new IllegalStateException(
                        "topics "
                                + jobEvents
                                + " ("
                                + partitions
                                + " partitions) and "
                                + training
                                + " ("
                                + trainingPartitions
                                + ") must have the same partition count: the master joins them"
                                + " by job id; recreate one of them with "
                                + partitions
                                + " partitions");
            }
            create(admin, existing, poolInbox(config, topics), partitions);
            create(admin, existing, jobInbox(config, topics), partitions);
            create(admin, existing, deadLetters(topics), 1);
            // a pool's partition is hash(pool) mod the inbox's count: another count would move the
            // pool away from its state, so an inbox created with another count stops the master
            checkInbox(admin, poolInbox(config, topics), partitions);
            checkInbox(admin, jobInbox(config, topics), partitions);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot check the master's topics on Kafka: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the master's topics", e);
        }
    }

    private static void create(Admin admin, Set<String> existing, String name, int partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (existing.contains(name)) {
            return;
        }
        try {
            admin.createTopics(
                            List.of(
                                    new NewTopic(name, Optional.of(partitions), Optional.empty())
                                            .configs(INBOX_CONFIG)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
            log.info("Created internal topic [topic:{}, partitions:{}]", name, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** Checks the inbox's partitions, waiting for a just-created topic's metadata to spread. */
    private static void checkInbox(Admin admin, String name, int partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                int actual =
                        admin.describeTopics(List.of(name))
                                .allTopicNames()
                                .get(60, TimeUnit.SECONDS)
                                .get(name)
                                .partitions()
                                .size();
                if (actual != partitions) {
                    throw new IllegalStateException(
                            "internal topic "
                                    + name
                                    + " has "
                                    + actual
                                    + " partitions but the job topics have "
                                    + partitions
                                    + ": a pool or a job would be read from another partition"
                                    + " than its state. Stop every instance, then reset the"
                                    + " application (see master-streams/README.md, \"Resetting"
                                    + " the master\") and delete the inbox; the master recreates it"
                                    + " with "
                                    + partitions
                                    + " partitions");
                }
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.nanoTime() > giveUp) {
                    throw e;
                }
                Thread.sleep(200); // metadata of the topic created a moment ago
            }
        }
    }
}
