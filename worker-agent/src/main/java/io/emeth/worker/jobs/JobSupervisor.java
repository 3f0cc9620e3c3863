package io.emeth.worker.jobs;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.worker.assignments.AssignmentReader;
import io.emeth.worker.events.TrainingEvents;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns this worker's assignments into job runs, one job at a time as the master reserves it: a
 * {@code TrainingAssigned} starts a {@link JobRun} (replacing one of an older attempt or another
 * job), {@code RoundOpened} queues a round on it, {@code TrainingCanceled} stops it. Records for an
 * older attempt, or repeated ones, are handled without effect; an assignment the worker cannot
 * honour is answered with {@code TrainingFailed}. A watchdog thread checks the running job's phase
 * timer ten times a second.
 */
public final class JobSupervisor implements AssignmentReader.Handler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobSupervisor.class);
    private static final long WATCH_MS = 100;

    private final JobContext ctx;
    private final ScheduledExecutorService watchdog;
    private volatile JobRun current;
    private volatile boolean closed;

    public JobSupervisor(JobContext ctx) {
        this.ctx = ctx;
        this.watchdog =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t =
                                    new Thread(
                                            r,
                                            "worker-phase-watch-" + ctx.address().substring(0, 10));
                            t.setDaemon(true);
                            return t;
                        });
        watchdog.scheduleWithFixedDelay(this::watch, WATCH_MS, WATCH_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized CompletionStage<Void> handle(
            ConsumerRecord<String, WorkerAssignment> record) {
        if (closed) {
            return new CompletableFuture<>(); // never handled: a restart reads it again
        }
        WorkerAssignment a = record.value();
        Object payload = a.getPayload();
        if (payload instanceof TrainingAssigned t) {
            return assigned(record, a, t);
        }
        JobRun job = current;
        boolean ours = job != null && job.spec().jobId().equalsIgnoreCase(a.getJobId());
        if (payload instanceof RoundOpened r) {
            if (ours && job.spec().attempt() == a.getAttempt()) {
                return job.openRound(r);
            }
            log.info(
                    "Ignored RoundOpened of a job not running here [jobId:{}, attempt:{}, epoch:{}]",
                    a.getJobId(),
                    a.getAttempt(),
                    r.getEpoch());
        } else if (payload instanceof TrainingCanceled c) {
            if (ours && a.getAttempt() >= job.spec().attempt()) {
                job.cancel(c.getReason());
            } else {
                log.info(
                        "Ignored TrainingCanceled of a job not running here [jobId:{}, attempt:{}]",
                        a.getJobId(),
                        a.getAttempt());
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private CompletionStage<Void> assigned(
            ConsumerRecord<String, WorkerAssignment> record,
            WorkerAssignment a,
            TrainingAssigned t) {
        JobRun job = current;
        if (job != null && job.spec().jobId().equalsIgnoreCase(a.getJobId())) {
            if (a.getAttempt() < job.spec().attempt()) {
                log.info(
                        "Ignored an assignment of an older attempt [jobId:{}, attempt:{}]",
                        a.getJobId(),
                        a.getAttempt());
                return CompletableFuture.completedFuture(null);
            }
            if (a.getAttempt() == job.spec().attempt() && job.active()) {
                return CompletableFuture.completedFuture(
                        null); // redelivered: the run already has it
            }
        }
        JobSpec spec;
        try {
            spec = JobSpec.from(a, t, ctx.address(), ctx.localTimeouts(), record.timestamp());
        } catch (JobSpec.InvalidAssignmentException e) {
            refuse(a, e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        if (job != null && job.active()) {
            job.cancel("replaced by job " + spec.jobId() + " attempt " + spec.attempt());
        }
        JobRun next = new JobRun(ctx, spec);
        current = next;
        log.info(
                "Assigned [jobId:{}, attempt:{}, rank:{}, worldSize:{}, epochs:{}, aggregator:{}, dataset:{}]",
                spec.jobId(),
                spec.attempt(),
                spec.rank(),
                spec.worldSize(),
                spec.epochs(),
                spec.aggregator(),
                spec.datasetName());
        next.start();
        return next.ended();
    }

    private void refuse(WorkerAssignment a, String reason) {
        String text = "job " + a.getJobId() + ": assignment refused: " + reason;
        log.warn(
                "Refused an assignment [jobId:{}, attempt:{}, reason:{}]",
                a.getJobId(),
                a.getAttempt(),
                reason);
        ctx.board().set(WorkerPhase.FAILED, a.getJobId(), a.getAttempt(), null, () -> 0);
        try {
            TrainingEvents events =
                    new TrainingEvents(ctx.identity(), ctx.clock(), a.getJobId(), a.getAttempt());
            ctx.publisher().publish(events.failed(0, text, null));
        } catch (Exception e) {
            log.error(
                    "Could not publish TrainingFailed [jobId:{}, error:{}]",
                    a.getJobId(),
                    e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether a job is running here (not ended and not merely lingering after COMPLETED). */
    public boolean jobActive() {
        JobRun job = current;
        return job != null && job.working();
    }

    private void watch() {
        JobRun job = current;
        if (job != null) {
            try {
                job.watch();
            } catch (RuntimeException e) {
                log.warn(
                        "Phase watch failed [jobId:{}, error:{}]",
                        job.spec().jobId(),
                        e.toString());
            }
        }
    }

    /** Stops the running job without reporting it (the worker shuts down). */
    @Override
    public synchronized void close() {
        closed = true;
        watchdog.shutdownNow();
        JobRun job = current;
        if (job != null) {
            job.stop();
        }
    }
}
