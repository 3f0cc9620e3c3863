package io.emeth.e2e.support;

import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.util.List;

/**
 * What one job left on the node's topics, as a {@link TopicRecorder} read them: the phase it is in
 * (request indexed, {@code process} commanded, round opened) for a drill to wait on, and its events
 * for the drill to count.
 */
public final class JobTrail {
    private final TopicRecorder seen;
    private final Topics topics;
    private final String jobId;

    public JobTrail(TopicRecorder seen, Topics topics, String jobId) {
        this.seen = seen;
        this.topics = topics;
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }

    /** Whether the indexer has emitted the job's {@code Request} log. */
    public boolean requested() {
        return chainEvents().contains("REQUESTED");
    }

    /**
     * The job's {@code chain-job-events} in order: {@code REQUESTED} for the request, then the name
     * of each status the chain gave it.
     */
    public List<String> chainEvents() {
        return seen.values(topics.chainJobEvents(), e -> ours(e.getJobId())).stream()
                .map(
                        e ->
                                e.getPayload() instanceof JobStatusChanged s
                                        ? s.getStatus().name()
                                        : e.getPayload() instanceof JobRequested
                                                ? "REQUESTED"
                                                : e.getPayload().getClass().getSimpleName())
                .toList();
    }

    /** Whether the master has matched the job and told the gateway to {@code process} it. */
    public boolean processCommanded() {
        return seen.seen(
                topics.chainCommands(),
                c -> c.getPayload() instanceof ProcessJob p && ours(p.getJobId()));
    }

    /** What the gateway recorded for the job's commands, in order. */
    public List<ChainTxResult> txResults() {
        return seen.values(topics.chainTxResults(), r -> ours(r.getJobId()));
    }

    /** Whether the gateway recorded a receipt of {@code action} for the job. */
    public boolean confirmed(ChainAction action) {
        return txResults().stream()
                .anyMatch(r -> r.getAction() == action && r.getPayload() instanceof TxConfirmed);
    }

    /** Whether the master opened round {@code epoch}. */
    public boolean roundOpened(int epoch) {
        return assignments().stream()
                .anyMatch(a -> a.getPayload() instanceof RoundOpened r && r.getEpoch() == epoch);
    }

    /** The job's aggregator (rank 0), as the master assigned it. */
    public String aggregator() {
        return assignments().stream()
                .map(WorkerAssignment::getPayload)
                .filter(TrainingAssigned.class::isInstance)
                .map(p -> ((TrainingAssigned) p).getAggregator())
                .findFirst()
                .orElseThrow(() -> new AssertionError(jobId + " was never assigned to a worker"));
    }

    /** The job's {@code training-events}. */
    public List<TrainingEvent> trainingEvents() {
        return seen.values(topics.trainingEvents(), e -> ours(e.getJobId()));
    }

    /** How many shards of round {@code epoch} the workers published. */
    public long shardsTrained(int epoch) {
        return trainingEvents().stream()
                .filter(e -> e.getPayload() instanceof ShardTrained s && s.getEpoch() == epoch)
                .count();
    }

    /** The result files the aggregator uploaded. */
    public List<String> resultFileNames() {
        return trainingEvents().stream()
                .filter(e -> e.getPayload() instanceof ResultUploaded)
                .map(e -> ((ResultUploaded) e.getPayload()).getResultFileName())
                .distinct()
                .toList();
    }

    private List<WorkerAssignment> assignments() {
        return seen.values(topics.workerAssignments(), a -> ours(a.getJobId()));
    }

    private boolean ours(String id) {
        return jobId.equalsIgnoreCase(id);
    }
}
