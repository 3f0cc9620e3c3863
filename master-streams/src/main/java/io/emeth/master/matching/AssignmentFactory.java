package io.emeth.master.matching;

import io.emeth.common.config.WorkerTimeouts;
import io.emeth.contracts.JobIds;
import io.emeth.master.config.AggregationSettings;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.ModelSettings;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.schemas.avro.worker.AggregationConfig;
import io.emeth.schemas.avro.worker.ByteRange;
import io.emeth.schemas.avro.worker.DatasetRef;
import io.emeth.schemas.avro.worker.ModelConfig;
import io.emeth.schemas.avro.worker.PhaseTimeouts;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.TrainingCanceled;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificData;

/**
 * Builds what the pool tells its workers: one {@code TrainingAssigned} per member of an attempt
 * (rank, shard, validation split, data set, epochs, timeouts, model, aggregation) and {@code
 * TrainingCanceled}. The model seed comes from the job id, so every worker of a job, in every
 * attempt, starts from the same weights.
 */
public final class AssignmentFactory {
    private AssignmentFactory() {}

    public static List<WorkerAssignment> trainingAssigned(
            JobPlan plan, List<Member> members, int attempt, MasterStreamsConfig config) {
        List<ByteRange> shards =
                ShardPlanner.shards(plan.datasetSizeBytes(), plan.language(), members);
        ByteRange validation = ShardPlanner.validation(plan.datasetSizeBytes(), plan.language());
        List<String> addresses = new ArrayList<>(members.size());
        for (Member m : members) {
            addresses.add(m.worker());
        }
        // the same for every member: built once per attempt, shared by its assignments
        DatasetRef dataset =
                DatasetRef.newBuilder()
                        .setName(plan.dataset())
                        .setSizeBytes(plan.datasetSizeBytes())
                        .setSha256(null)
                        .build();
        Shared shared = shared(config);
        PhaseTimeouts timeouts = shared.timeouts;
        ModelConfig model = model(config.model(), seed(plan.jobId()));
        AggregationConfig aggregation = shared.aggregation;
        String modelName = config.models().modelFor(plan.programId(), plan.language());
        List<WorkerAssignment> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            // one per member and match: the record's setters, without a builder's validation and
            // defaults; every field is set (the serialiser refuses a null where none is allowed)
            TrainingAssigned assigned = new TrainingAssigned();
            assigned.setRank(members.get(i).rank());
            assigned.setWorldSize(members.size());
            assigned.setWorkers(addresses);
            assigned.setShard(shards.get(i));
            assigned.setValidation(validation);
            assigned.setDataset(dataset);
            assigned.setEpochs(plan.epochs());
            assigned.setBatchSize(config.master().batchSize());
            assigned.setTimeouts(timeouts);
            assigned.setAggregator(addresses.get(0));
            assigned.setModel(model);
            assigned.setAggregation(aggregation);
            assigned.setLanguage(plan.language());
            assigned.setProgramId(plan.programId());
            assigned.setModelName(modelName);
            out.add(assignment(members.get(i).worker(), plan.jobId(), attempt, assigned));
        }
        return out;
    }

    public static WorkerAssignment canceled(
            String worker, String jobId, int attempt, String reason) {
        return assignment(
                worker, jobId, attempt, TrainingCanceled.newBuilder().setReason(reason).build());
    }

    public static WorkerAssignment assignment(
            String worker, String jobId, int attempt, Object payload) {
        // the record's setters: a payload outside the union fails when it is serialised
        WorkerAssignment a = new WorkerAssignment();
        a.setWorker(worker);
        a.setJobId(jobId);
        a.setAttempt(attempt);
        a.setPayload(payload);
        return a;
    }

    /** The job's model seed: the first 8 bytes of its id. */
    static long seed(String jobId) {
        return ByteBuffer.wrap(JobIds.toBytes(jobId)).getLong(); // its error names the id
    }

    /**
     * The parts of every assignment that only the configuration decides, built once per
     * configuration (a master has one) and shared by its assignments: nothing changes an assignment
     * once it is built.
     */
    private record Shared(
            MasterStreamsConfig config, PhaseTimeouts timeouts, AggregationConfig aggregation) {}

    private static volatile Shared shared;

    private static Shared shared(MasterStreamsConfig config) {
        Shared s = shared;
        if (s == null || s.config != config) {
            s = new Shared(config, timeouts(config.timeouts()), aggregation(config.aggregation()));
            shared = s;
        }
        return s;
    }

    private static PhaseTimeouts timeouts(WorkerTimeouts t) {
        return PhaseTimeouts.newBuilder()
                .setWaitDataMs(t.waitData().toMillis())
                .setIdleMs(t.idle().toMillis())
                .setLearningMs(t.learning().toMillis())
                .setCheckpointMs(t.checkpoint().toMillis())
                .build();
    }

    /** The schema's default vocabulary size (a builder would copy the default per record). */
    private static final int VOCAB_SIZE =
            (Integer)
                    SpecificData.get()
                            .getDefaultValue(ModelConfig.getClassSchema().getField("vocabSize"));

    private static ModelConfig model(ModelSettings m, long seed) {
        ModelConfig model = new ModelConfig();
        model.setVocabSize(VOCAB_SIZE);
        model.setContextLength(m.contextLength());
        model.setEmbeddingDim(m.embeddingDim());
        model.setLayers(m.layers());
        model.setHeads(m.heads());
        model.setDropout(m.dropout());
        model.setLearningRate(m.learningRate());
        model.setWeightDecay(m.weightDecay());
        model.setGradientClip(m.gradientClip());
        model.setSeed(seed);
        return model;
    }

    private static AggregationConfig aggregation(AggregationSettings a) {
        return AggregationConfig.newBuilder()
                .setMethod(a.method())
                .setOuterLearningRate(a.outerLearningRate())
                .setOuterMomentum(a.outerMomentum())
                .build();
    }
}
