package io.emeth.master.inbox;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.emeth.schemas.avro.gateway.ChainAction;
import java.util.List;

/**
 * A message to the job coordinator on the internal {@code job-inbox} topic (key: jobId, the same
 * partitioning as {@code chain-job-events} and {@code training-events}): the pool's matching
 * outcomes, transaction results, and operator requests.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = JobMessage.Matched.class, name = "matched"),
    @JsonSubTypes.Type(value = JobMessage.Replanned.class, name = "replanned"),
    @JsonSubTypes.Type(value = JobMessage.ReplanFailed.class, name = "replan-failed"),
    @JsonSubTypes.Type(value = JobMessage.MatchExpired.class, name = "match-expired"),
    @JsonSubTypes.Type(value = JobMessage.WorkerGone.class, name = "worker-gone"),
    @JsonSubTypes.Type(value = JobMessage.TxOutcome.class, name = "tx-outcome"),
    @JsonSubTypes.Type(value = JobMessage.DeclineRequested.class, name = "decline")
})
public sealed interface JobMessage {
    /** The job's key. */
    String jobId();

    /** Workers were reserved (attempt 1), TrainingAssigned and ProcessJob emitted. */
    record Matched(String jobId, int attempt, List<Member> members) implements JobMessage {
        public Matched {
            members = List.copyOf(members);
        }
    }

    /** A re-plan reserved {@code members} as {@code attempt}; each got a new TrainingAssigned. */
    record Replanned(String jobId, int attempt, List<Member> members) implements JobMessage {
        public Replanned {
            members = List.copyOf(members);
        }
    }

    /** No free workers could rescue {@code attempt}; its workers were released. */
    record ReplanFailed(String jobId, int attempt, String reason) implements JobMessage {}

    /** The job waited for workers until its deadline margin passed. */
    record MatchExpired(String jobId, String reason) implements JobMessage {}

    /** A worker of the attempt went away; the pool already released it. */
    record WorkerGone(String jobId, int attempt, String worker, GoneKind kind, String reason)
            implements JobMessage {}

    /** The gateway's outcome of one of our commands. */
    record TxOutcome(
            String jobId, String commandId, ChainAction action, boolean success, String reason)
            implements JobMessage {}

    /** An operator asked to decline the job. */
    record DeclineRequested(String jobId, String commandId, String requestedBy)
            implements JobMessage {}
}
