package io.emeth.master.jobs;

import io.emeth.master.inbox.JobPlan;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.view.JobState;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A job as its coordinator keeps it in {@code job-store}: the request, the master's state and the
 * chain's, the current attempt with its participants, the open round, the results so far and the
 * pending timer. Mutable, loaded and saved per record.
 */
final class JobRecord {
    String jobId;
    JobState state;
    JobPlan plan;
    BigInteger fee;
    long deadlineMs;
    Long datasetSizeBytes;
    long programId;
    String owner;
    String dataset;
    long requestedAtMs;
    int epochs;

    JobStatus chainStatus;
    String node;
    boolean processingByUs;

    /** Block of the JobRequested, and the chain steps applied since: what a rewind undoes. */
    Long requestBlock;

    List<ChainRewinds.ChainStep> chainSteps = new ArrayList<>();

    int attempt;

    /**
     * How many times the job was opened for matching (1 on its request, one more per reopen after a
     * rewind); 0 in records from before the field, read as 1.
     */
    int openings;

    List<Participant> workers = new ArrayList<>();
    boolean matched;
    boolean replanPending;
    boolean released = true;

    Integer roundEpoch;
    List<String> roundParticipants = new ArrayList<>();
    String roundAggregator;
    List<String> shardsIn = new ArrayList<>();

    int completedEpochs;
    List<Double> losses = new ArrayList<>();
    ModelRefData globalModel;

    /** h_(completedEpochs); empty before the first round, whose h_0 the workers compute. */
    String hashChain = "";

    String resultFileName;
    boolean declinePending;
    boolean declineSent;

    String lastError;
    long updatedAt;
    Long timerDueAt;
    String timerKind;

    JobRecord() {}

    Participant participant(String worker) {
        for (Participant p : workers) {
            if (p.worker.equalsIgnoreCase(worker)) {
                return p;
            }
        }
        return null;
    }

    List<Participant> active() {
        return workers.stream().filter(Participant::active).toList();
    }

    long activeCapacity() {
        return active().stream().mapToLong(p -> p.powerCapacity).sum();
    }

    /** Whether the master's part is over (a chain outcome, or never taken). */
    boolean finished() {
        return switch (state) {
            case VERIFIED, REJECTED, TIMEOUT, FAILED, DECLINED, CANCELED, TAKEN, INELIGIBLE -> true;
            default -> false;
        };
    }

    /** Rounds run in these states; workers can be dropped and re-planned. */
    boolean training() {
        return state == JobState.MATCHED || state == JobState.PROCESSING;
    }
}
