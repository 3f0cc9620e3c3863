package io.emeth.worker.jobs;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.worker.events.TrainingEvents;
import io.emeth.worker.phases.PhaseTimer;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.training.TrainingProgress;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job attempt on this worker: its steps (prepare the data, then each round: train, checkpoint,
 * and for the round's aggregator, aggregate) run in order on a thread of their own, under the phase
 * timer. It ends COMPLETED, FAILED (a {@code TrainingFailed} naming the job and phase), TIMEOUT (a
 * phase overran: its work is aborted and reported), canceled by the master, or stopped with the
 * worker (nothing reported, the state on disk lets a restart resume).
 *
 * <p>A non-aggregator that sent its last shard stays COMPLETED, holding the model, for {@code
 * timeout.idle}: if the aggregator drops out, the master may name it aggregator of the last round.
 */
final class JobRun {
    private static final Logger log = LoggerFactory.getLogger(JobRun.class);

    private final JobContext ctx;
    private final JobSpec spec;
    private final TrainingEvents events;
    private final JobThread thread;
    private final PhaseTimer timer = PhaseTimer.monotonic();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final Map<Integer, RoundState> rounds = new ConcurrentHashMap<>();
    private volatile boolean terminated;
    private volatile WorkerPhase phase = WorkerPhase.WAIT_DATA;
    private volatile int epoch;
    private volatile int latestEpoch;
    private volatile JobResources resources;
    private ShardTraining training;
    private RoundAggregation aggregation;
    private long progressMarker = -1;

    JobRun(JobContext ctx, JobSpec spec) {
        this.ctx = ctx;
        this.spec = spec;
        this.events = new TrainingEvents(ctx.identity(), ctx.clock(), spec.jobId(), spec.attempt());
        this.thread = new JobThread("job-" + spec.jobId().substring(0, 10) + "-a" + spec.attempt());
    }

    JobSpec spec() {
        return spec;
    }

    /**
     * Completes when the job ended (not when the worker stopped): its assignment may be committed.
     */
    CompletableFuture<Void> ended() {
        return ended;
    }

    boolean active() {
        return !terminated;
    }

    /** Whether the job still has work to do here (not ended, not just lingering COMPLETED). */
    boolean working() {
        return !terminated && phase != WorkerPhase.COMPLETED;
    }

    void start() {
        enter(WorkerPhase.WAIT_DATA, 0, "timeout.wait_data", spec.limits().waitDataMs(), () -> 0);
        step(
                "preparing the data",
                () -> {
                    JobResources job = JobResources.prepare(ctx, spec, events, this::enter);
                    resources = job;
                    training = new ShardTraining(job);
                    aggregation = new RoundAggregation(job);
                    if (latestEpoch == 0) {
                        enter(WorkerPhase.IDLE, 0, "timeout.idle", spec.limits().idleMs(), () -> 0);
                    }
                });
    }

    /** A round opened (or was re-sent with other participants or another aggregator). */
    CompletableFuture<Void> openRound(RoundOpened opened) {
        int e = opened.getEpoch();
        if (terminated || e < 1 || e > spec.epochs()) {
            if (!terminated) {
                log.warn(
                        "Ignored RoundOpened for epoch {} of a {}-epoch job [jobId:{}]",
                        e,
                        spec.epochs(),
                        spec.jobId());
            }
            return CompletableFuture.completedFuture(null);
        }
        latestEpoch = Math.max(latestEpoch, e);
        RoundState round = rounds.computeIfAbsent(e, RoundState::new);
        synchronized (round) {
            round.opened(opened);
            if (!round.work().isDone()) {
                return round.work(); // queued or running: it reads the latest participants
            }
            CompletableFuture<Void> work = new CompletableFuture<>();
            round.work(work);
            step("round " + e, () -> runRound(round), work);
            return work;
        }
    }

    private void runRound(RoundState round) throws Exception {
        int e = round.epoch;
        RoundOpened opened = round.opened();
        String aggregatorOfRound =
                opened.getAggregator() != null ? opened.getAggregator() : spec.aggregator();
        boolean aggregator = ctx.address().equalsIgnoreCase(aggregatorOfRound);
        JobStore store = resources.store;
        if (e < latestEpoch && (!aggregator || store.aggregated(e))) {
            log.info(
                    "Skipped round {}: round {} is already open [jobId:{}]",
                    e,
                    latestEpoch,
                    spec.jobId());
            return;
        }
        epoch = e;
        if (!store.trained(e)) {
            training.train(round);
        } else {
            log.info(
                    "Round {} already trained, not again [jobId:{}, startedFrom:{}]",
                    e,
                    spec.jobId(),
                    store.trainedFrom(e));
        }
        if (aggregator && !store.aggregated(e)) {
            aggregation.aggregate(round);
        }
        round.roundStart = null;
        if (e < spec.epochs()) {
            enter(WorkerPhase.IDLE, e, "timeout.idle", spec.limits().idleMs(), () -> 0);
        } else if (aggregator) {
            enter(WorkerPhase.COMPLETED, e, null, 0, () -> 1);
            end("completed");
        } else {
            // linger: the master may still make this worker the last round's aggregator
            enter(WorkerPhase.COMPLETED, e, "timeout.idle", spec.limits().idleMs(), () -> 1);
        }
    }

    /** The master canceled the attempt (or a newer assignment replaced it): stop quietly. */
    void cancel(String reason) {
        log.info(
                "Job canceled [jobId:{}, attempt:{}, reason:{}]",
                spec.jobId(),
                spec.attempt(),
                reason);
        if (markTerminated()) {
            ctx.board().clear();
            abortWork();
            release(true);
        }
    }

    /** The worker is stopping: abort the work, report nothing, keep the state for a restart. */
    void stop() {
        if (markTerminated()) {
            abortWork();
            release(false);
        }
    }

    /** The watchdog's tick: notes training progress and acts on an overrun phase. */
    void watch() {
        if (terminated) {
            return;
        }
        JobResources job = resources;
        ShardTrainer trainer = job == null ? null : job.trainer();
        if (trainer != null && phase == WorkerPhase.LEARNING) {
            TrainingProgress p = trainer.progress();
            long marker = p.epoch() * 1_000_000_000L + p.batchesDone();
            if (marker != progressMarker) {
                progressMarker = marker;
                timer.progress();
            }
        }
        timer.check()
                .ifPresent(
                        o -> {
                            if (o.phase() == WorkerPhase.COMPLETED) {
                                end("done lingering");
                            } else {
                                fail(o.phase(), o.describe(), true, null);
                            }
                        });
    }

    private void enter(WorkerPhase next, int e, String key, long limitMs, DoubleSupplier progress) {
        if (terminated) {
            throw new CancellationException("job " + spec.jobId() + " ended");
        }
        phase = next;
        timer.enter(next, key, limitMs);
        ctx.metrics().phase(next);
        ctx.board().set(next, spec.jobId(), spec.attempt(), e == 0 ? null : e, progress);
    }

    private void step(String what, JobThread.Step body) {
        step(what, body, new CompletableFuture<>());
    }

    private void step(String what, JobThread.Step body, CompletableFuture<Void> done) {
        thread.submit(what, body, done, () -> terminated, this::stepFailed);
    }

    private void stepFailed(String what, Exception e) {
        if (e instanceof JobFailure f) {
            fail(f.phase() != null ? f.phase() : phase, f.getMessage(), false, f.getCause());
        } else if (!terminated) {
            boolean interrupted =
                    e instanceof InterruptedException
                            || e instanceof CancellationException
                            || e instanceof InterruptException;
            String how = interrupted ? " was interrupted: " : " failed: ";
            fail(phase, what + how + e.getMessage(), false, e);
        }
    }

    private void fail(WorkerPhase failed, String reason, boolean timedOut, Throwable cause) {
        if (!markTerminated()) {
            return;
        }
        String text = reason.startsWith("job ") ? reason : "job " + spec.jobId() + ": " + reason;
        // the stack trace only for the unexpected; a JobFailure's message says it all
        Throwable trace =
                cause instanceof JobFailure || cause instanceof InterruptedException ? null : cause;
        log.warn(
                "Job {} [jobId:{}, phase:{}, reason:{}]",
                timedOut ? "timed out" : "failed",
                spec.jobId(),
                failed,
                text,
                trace);
        timer.disarm();
        ctx.metrics().failed(failed, timedOut);
        WorkerPhase shown = timedOut ? WorkerPhase.TIMEOUT : WorkerPhase.FAILED;
        ctx.metrics().phase(shown);
        ctx.board().set(shown, spec.jobId(), spec.attempt(), epoch == 0 ? null : epoch, () -> 0);
        abortWork();
        try {
            ctx.publisher().publish(events.failed(epoch, text, failed));
        } catch (Exception e) {
            log.error(
                    "Could not publish TrainingFailed [jobId:{}, error:{}]",
                    spec.jobId(),
                    e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        release(true);
    }

    private void end(String why) {
        if (markTerminated()) {
            timer.disarm();
            log.info(
                    "Job ended [jobId:{}, attempt:{}, phase:{}, why:{}]",
                    spec.jobId(),
                    spec.attempt(),
                    phase,
                    why);
            release(true);
        }
    }

    private synchronized boolean markTerminated() {
        if (terminated) {
            return false;
        }
        terminated = true;
        return true;
    }

    private void abortWork() {
        JobResources job = resources;
        if (job != null) {
            job.trainer().cancel();
        }
        thread.interrupt();
    }

    /**
     * Frees the model and readers after the running step; completes the futures if the job ended.
     */
    private void release(boolean jobEnded) {
        thread.finish(
                () -> {
                    if (aggregation != null) {
                        aggregation.close();
                    }
                    JobResources job = resources;
                    if (job != null) {
                        job.close();
                    }
                    if (jobEnded) {
                        ended.complete(null);
                        rounds.values().forEach(r -> r.work().complete(null));
                    }
                });
    }
}
