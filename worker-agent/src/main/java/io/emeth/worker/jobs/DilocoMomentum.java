package io.emeth.worker.jobs;

import io.emeth.schemas.avro.ModelRef;
import io.emeth.worker.averaging.ModelAveraging;
import io.emeth.worker.averaging.NesterovOuterOptimizer;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.TensorSource;
import io.emeth.worker.weights.WeightsFile;
import io.emeth.worker.weights.WeightsLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The averaging of a job's rounds: plain, or DiLoCo, whose Nesterov momentum must survive from one
 * round to the next, also across a restart of the aggregator. The momentum is saved next to the job
 * state after each round ({@code momentum.emwt}, WeightsCodec format) and restored when the next
 * round is aggregated by a fresh process.
 */
final class DilocoMomentum {
    private static final Logger log = LoggerFactory.getLogger(DilocoMomentum.class);

    private final JobSpec spec;
    private final JobStore store;
    private final WeightsLayout layout;
    private NesterovOuterOptimizer outer;
    private int outerEpoch;

    DilocoMomentum(JobSpec spec, JobStore store, WeightsLayout layout) {
        this.spec = spec;
        this.store = store;
        this.layout = layout;
    }

    /** The averaging for round {@code epoch}, with the previous round's momentum when DiLoCo. */
    ModelAveraging averaging(int epoch) throws IOException {
        if (!spec.diloco()) {
            return ModelAveraging.plain();
        }
        if (outer == null || outerEpoch != epoch - 1) {
            ModelWeights saved = null;
            Integer savedEpoch = store.momentumEpoch();
            Path file = store.momentumFile();
            if (epoch > 1 && savedEpoch != null && savedEpoch == epoch - 1 && Files.exists(file)) {
                saved = WeightsFile.open(file, layout).readAll();
            } else if (epoch > 1) {
                log.warn(
                        "DiLoCo momentum of epoch {} is not on disk; restarting it at zero [jobId:{}]",
                        epoch - 1,
                        spec.jobId());
            }
            outer =
                    new NesterovOuterOptimizer(
                            spec.aggregation().getOuterLearningRate(),
                            spec.aggregation().getOuterMomentum(),
                            saved);
        }
        return new ModelAveraging(outer);
    }

    /** Whether the momentum after round {@code epoch} is at hand, in memory or on disk. */
    boolean has(int epoch) {
        if (outer != null && outerEpoch == epoch) {
            return true;
        }
        Integer savedEpoch = store.momentumEpoch();
        return savedEpoch != null && savedEpoch == epoch && Files.exists(store.momentumFile());
    }

    /**
     * Resumes from the momentum after round {@code epoch} that another aggregator uploaded (an
     * aggregator handover, or this worker's disk lost): the next round continues it.
     */
    private void resume(int epoch, ModelWeights saved) {
        outer =
                new NesterovOuterOptimizer(
                        spec.aggregation().getOuterLearningRate(),
                        spec.aggregation().getOuterMomentum(),
                        saved);
        outerEpoch = epoch;
        log.info(
                "DiLoCo momentum resumed from the round's upload [jobId:{}, epoch:{}]",
                spec.jobId(),
                epoch);
    }

    /**
     * Uploads the momentum after round {@code epoch} next to its global model, so that the next
     * round's aggregator (another worker, or this one without its disk) resumes it; null for plain
     * averaging.
     */
    ModelRef upload(int epoch, ModelStore storage, Path file) throws IOException {
        if (!spec.diloco() || outer == null || outer.momentum() == null) {
            return null;
        }
        return storage.upload(spec.jobId(), (TensorSource) outer.momentum(), file);
    }

    /**
     * Resumes from the momentum after round {@code epoch} that the round's aggregator uploaded;
     * false (logged) when its bytes are not what {@code ref} promises or not of the job's layout.
     */
    boolean resume(int epoch, ModelRef ref, ModelStore storage, Path dir) throws IOException {
        try {
            resume(epoch, storage.download(spec.jobId(), ref, layout, dir));
            return true;
        } catch (InvalidWeightsException e) {
            log.warn(
                    "Refused the uploaded DiLoCo momentum [jobId:{}, epoch:{}, error:{}]",
                    spec.jobId(),
                    epoch,
                    e.getMessage());
            return false;
        }
    }

    /** Keeps the momentum after round {@code epoch} on disk (nothing for plain averaging). */
    void save(int epoch) throws IOException {
        if (outer == null || outer.momentum() == null) {
            return;
        }
        ModelStore.write(outer.momentum(), store.momentumFile()); // streamed, replaced atomically
        store.momentumEpoch(epoch);
        outerEpoch = epoch;
    }
}
