package io.emeth.e2e.support;

import io.emeth.chain.it.KafkaFixture;
import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a node's topics hold now, read from the start with read_committed (chain-indexer's {@link
 * KafkaFixture#readAll}): the drills' assertions look at what the node published, as an operator
 * tailing the topics would.
 */
public final class TopicReads {
    private TopicReads() {}

    /** Every committed value of {@code topic}, in order per partition. */
    public static <V> List<V> values(Topic<String, V> topic) {
        return KafkaFixture.readAll(topic).stream()
                .map(ConsumerRecord::value)
                .filter(Objects::nonNull)
                .toList();
    }

    /** The latest value per key of a table topic ({@code job-status}, {@code worker-status}). */
    public static <V> Map<String, V> latest(Topic<String, V> topic, Function<V, String> key) {
        return values(topic).stream().collect(Collectors.toMap(key, v -> v, (a, b) -> b));
    }

    /** The master's current view of {@code jobId}, or null when it has none. */
    public static JobView job(NodeStack node, String jobId) {
        return latest(node.topics().jobStatus(), JobView::getJobId).get(jobId);
    }

    /** The state of {@code jobId} in the master's view, or null before the master has one. */
    public static JobState jobState(NodeStack node, String jobId) {
        JobView view = job(node, jobId);
        return view == null ? null : view.getState();
    }

    /** Every view of {@code worker} the master published, oldest first. */
    public static List<WorkerView> workerViews(NodeStack node, String worker) {
        return values(node.topics().workerStatus()).stream()
                .filter(v -> v.getWorker().equalsIgnoreCase(worker))
                .toList();
    }

    /** How many workers the master holds IDLE in its pool now. */
    public static long idleWorkers(NodeStack node) {
        return latest(node.topics().workerStatus(), WorkerView::getWorker).values().stream()
                .filter(v -> v.getState() == WorkerState.IDLE)
                .count();
    }

    /** The indexer's events of {@code jobId} on {@code chain-job-events}. */
    public static List<ChainJobEvent> chainEvents(NodeStack node, String jobId) {
        return values(node.topics().chainJobEvents()).stream()
                .filter(e -> e.getJobId().equals(jobId))
                .toList();
    }

    /** The master's {@code TrainingAssigned} records of {@code jobId}. */
    public static List<WorkerAssignment> trainingAssigned(NodeStack node, String jobId) {
        return values(node.topics().workerAssignments()).stream()
                .filter(
                        a ->
                                a.getJobId().equals(jobId)
                                        && a.getPayload() instanceof TrainingAssigned)
                .toList();
    }

    /** The master's {@code ProcessJob} commands for {@code jobId}. */
    public static List<ProcessJob> processCommands(NodeStack node, String jobId) {
        return values(node.topics().chainCommands()).stream()
                .map(ChainCommand::getPayload)
                .filter(p -> p instanceof ProcessJob process && process.getJobId().equals(jobId))
                .map(ProcessJob.class::cast)
                .toList();
    }
}
