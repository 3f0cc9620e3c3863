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
        jobViews.addAll(jobStatusOut.readValuesToList());
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

    public List<JobView> jobViews() {
        drain();
        return List.copyOf(jobViews);
    }

    /** The latest view of every job. */
    public Map<String, JobView> jobs() {
        Map<String, JobView> latest = new LinkedHashMap<>();
        jobViews().forEach(v -> latest.put(v.getJobId(), v));
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
