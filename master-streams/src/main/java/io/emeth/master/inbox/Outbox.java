package io.emeth.master.inbox;

import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Where the master's processors send what they decide, each kind to its sink by name: worker
 * assignments, chain commands, the two views and the two internal inboxes. Every record is stamped
 * with the wall clock, so that on a task's inputs the internal messages sort after the facts that
 * caused them; a worker's facts keep their arrival time on the way to the pool.
 */
public final class Outbox {
    public static final String ASSIGNMENTS_SINK = "worker-assignments-sink";
    public static final String COMMANDS_SINK = "chain-commands-sink";
    public static final String JOB_STATUS_SINK = "job-status-sink";
    public static final String WORKER_STATUS_SINK = "worker-status-sink";
    public static final String POOL_INBOX_SINK = "pool-inbox-sink";
    public static final String JOB_INBOX_SINK = "job-inbox-sink";

    private final ProcessorContext<String, Object> context;

    public Outbox(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    public long now() {
        return context.currentSystemTimeMs();
    }

    public void assignment(WorkerAssignment assignment) {
        send(assignment.getWorker(), assignment, ASSIGNMENTS_SINK);
    }

    public void command(ChainCommand command) {
        send(command.getAccount(), command, COMMANDS_SINK);
    }

    public void jobView(JobView view) {
        send(view.getJobId(), view, JOB_STATUS_SINK);
    }

    /**
     * A tombstone on {@code job-status}: the job no longer exists (its request was reorged out).
     */
    public void jobViewDeleted(String jobId) {
        send(jobId, null, JOB_STATUS_SINK);
    }

    public void workerView(WorkerView view) {
        send(view.getWorker(), view, WORKER_STATUS_SINK);
    }

    public void toPool(String pool, PoolMessage message) {
        send(pool, message, POOL_INBOX_SINK);
    }

    /**
     * A worker's fact to the pool, stamped with {@code arrivedAt}: when it reached {@code
     * worker-events} (the broker's append time), so the pool judges liveness by when workers spoke,
     * not by when this master got to it.
     */
    public void toPool(String pool, PoolMessage message, long arrivedAt) {
        context.forward(new Record<>(pool, message, arrivedAt), POOL_INBOX_SINK);
    }

    public void toJob(JobMessage message) {
        send(message.jobId(), message, JOB_INBOX_SINK);
    }

    private void send(String key, Object value, String sink) {
        context.forward(new Record<>(key, value, now()), sink);
    }
}
