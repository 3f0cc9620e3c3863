package io.emeth.master.testing;

import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Everything the master's topology produced under a {@link TopologyTestDriver}, accumulated in
 * order (an output topic is read only once), with the queries the tests ask of it.
 */
public abstract class MasterOutputs {
    private TestOutputTopic<String, WorkerAssignment> assignmentsOut;
    private TestOutputTopic<String, ChainCommand> commandsOut;
    private TestOutputTopic<String, JobView> jobStatusOut;
    private TestOutputTopic<String, WorkerView> workerStatusOut;
    private final List<WorkerAssignment> assignments = new ArrayList<>();
    private final List<ChainCommand> commands = new ArrayList<>();
    private final List<JobView> jobViews = new ArrayList<>();
    private final List<String> jobViewKeys = new ArrayList<>();
    private final List<WorkerView> workerViews = new ArrayList<>();

    /** Starts recording the output topics of {@code driver}. */
    protected final void record(TopologyTestDriver driver, Topics topics) {
        assignmentsOut = output(driver, topics.workerAssignments());
        commandsOut = output(driver, topics.chainCommands());
        jobStatusOut = output(driver, topics.jobStatus());
        workerStatusOut = output(driver, topics.workerStatus());
    }

    private void drain() {
        assignments.addAll(assignmentsOut.readValuesToList());
        commands.addAll(commandsOut.readValuesToList());
        for (var kv : jobStatusOut.readKeyValuesToList()) {
            jobViewKeys.add(kv.key);
            jobViews.add(kv.value); // null: a tombstone
        }
        workerViews.addAll(workerStatusOut.readValuesToList());
    }

    public List<WorkerAssignment> assignments() {
        drain();
        return List.copyOf(assignments);
    }

    /** Assignments to {@code worker} whose payload is a {@code type}. */
    public <T> List<T> assignments(String worker, Class<T> type) {
        return assignments().stream()
                .filter(a -> a.getWorker().equals(worker))
                .map(WorkerAssignment::getPayload)
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }

    /** Assignments for {@code jobId} whose payload is a {@code type}. */
    public <T> List<WorkerAssignment> assignmentsFor(String jobId, Class<T> type) {
        return assignments().stream()
                .filter(a -> a.getJobId().equals(jobId) && type.isInstance(a.getPayload()))
                .toList();
    }

    public List<ChainCommand> commands() {
        drain();
        return List.copyOf(commands);
    }

    public <T> List<T> commands(Class<T> type) {
        return commands().stream()
                .map(ChainCommand::getPayload)
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }

    /** Every job view published, tombstones left out. */
    public List<JobView> jobViews() {
        drain();
        return jobViews.stream().filter(java.util.Objects::nonNull).toList();
    }

    /** The latest view of every job; a job whose view was deleted (tombstone) is absent. */
    public Map<String, JobView> jobs() {
        drain();
        Map<String, JobView> latest = new LinkedHashMap<>();
        for (int i = 0; i < jobViews.size(); i++) {
            if (jobViews.get(i) == null) {
                latest.remove(jobViewKeys.get(i));
            } else {
                latest.put(jobViews.get(i).getJobId(), jobViews.get(i));
            }
        }
        return latest;
    }

    public JobView job(String jobId) {
        return jobs().get(jobId);
    }

    public List<WorkerView> workerViews() {
        drain();
        return List.copyOf(workerViews);
    }

    public WorkerView worker(String worker) {
        WorkerView latest = null;
        for (WorkerView v : workerViews()) {
            if (v.getWorker().equals(worker)) {
                latest = v;
            }
        }
        return latest;
    }

    private static <V> TestOutputTopic<String, V> output(
            TopologyTestDriver driver, Topic<String, V> topic) {
        return driver.createOutputTopic(
                topic.name(), Serdes.String().deserializer(), topic.valueSerde().deserializer());
    }
}
