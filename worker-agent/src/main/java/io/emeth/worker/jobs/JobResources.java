package io.emeth.worker.jobs;

import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.worker.events.TrainingEvents;
import io.emeth.worker.hashchain.HashChain;
import io.emeth.worker.jobs.DatasetFetcher.PreparedData;
import io.emeth.worker.training.GptModel;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.WeightsCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.DoubleSupplier;

/**
 * What a job holds while it runs, created when its data is ready and closed when it ends: the
 * prepared data, the live model and its trainer (whose AdamW state lasts across rounds), the seeded
 * initial weights, the on-disk state and the job's directories. Used by the job's thread only,
 * except {@link #trainer()} which the watchdog reads for progress.
 */
final class JobResources implements AutoCloseable {

    /** How the job's steps report the phase they enter. */
    @FunctionalInterface
    interface Phases {
        /**
         * @param limitMs the phase's timeout; 0 for none
         */
        void enter(WorkerPhase phase, int epoch, String key, long limitMs, DoubleSupplier progress);
    }

    final JobContext ctx;
    final JobSpec spec;
    final TrainingEvents events;
    final Phases phases;
    final PreparedData data;
    final JobStore store;
    final GptModel model;
    final ShardTrainer trainer;
    final ModelWeights initial;
    private String initialSha256;

    private JobResources(
            JobContext ctx,
            JobSpec spec,
            TrainingEvents events,
            Phases phases,
            PreparedData data,
            JobStore store,
            GptModel model,
            ShardTrainer trainer) {
        this.ctx = ctx;
        this.spec = spec;
        this.events = events;
        this.phases = phases;
        this.data = data;
        this.store = store;
        this.model = model;
        this.trainer = trainer;
        this.initial = model.weights();
    }

    /** Downloads and splits the data, opens the state and builds the seeded model. */
    static JobResources prepare(JobContext ctx, JobSpec spec, TrainingEvents events, Phases phases)
            throws JobFailure, IOException, InterruptedException {
        Path jobDir = ctx.jobsDir().resolve(spec.jobId().toLowerCase(java.util.Locale.ROOT));
        PreparedData data = ctx.datasets().fetch(spec, jobDir);
        JobStore store =
                JobStore.open(
                        JobStore.attemptDir(ctx.jobsDir(), spec.jobId(), spec.attempt()),
                        spec.jobId(),
                        spec.attempt());
        GptModel model = GptModel.create(spec.model(), ctx.device());
        try {
            return new JobResources(
                    ctx, spec, events, phases, data, store, model, new ShardTrainer(model));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The directory of this attempt's checkpoints, downloads and state. */
    Path dir() {
        return store.dir();
    }

    /** sha256 (hex) of the seeded initial weights' encoding. */
    String initialSha256() {
        if (initialSha256 == null) {
            initialSha256 = ModelStore.hex(HashChain.sha256(WeightsCodec.encode(initial)));
        }
        return initialSha256;
    }

    /**
     * The model round {@code epoch} starts from: the seeded initial weights for epoch 1 without a
     * global model, else the round's global model, downloaded and checked.
     */
    ModelWeights roundStart(int epoch, RoundOpened opened) throws JobFailure, InterruptedException {
        ModelRef ref = opened == null ? null : opened.getGlobalModel();
        if (ref == null) {
            if (epoch != 1) {
                throw new JobFailure(
                        WorkerPhase.WAIT_DATA,
                        "RoundOpened for epoch "
                                + epoch
                                + " carries no global model;"
                                + " only epoch 1 starts from the seeded initial weights");
            }
            return initial;
        }
        try {
            return ctx.storage().download(spec.jobId(), ref, initial, dir().resolve("models"));
        } catch (InvalidWeightsException e) {
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA,
                    "the global model of epoch " + epoch + " is refused: " + e.getMessage(),
                    e);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("global model download interrupted");
            }
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA,
                    "the global model of epoch "
                            + epoch
                            + " could not be downloaded: "
                            + e.getMessage(),
                    e);
        }
    }

    /** The sha256 (hex) of the model round {@code epoch} starts from. */
    String roundStartSha256(RoundOpened opened) {
        ModelRef ref = opened == null ? null : opened.getGlobalModel();
        return ref == null ? initialSha256() : ref.getSha256().toLowerCase(java.util.Locale.ROOT);
    }

    ShardTrainer trainer() {
        return trainer;
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
