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
        List<String> addresses = members.stream().map(Member::worker).toList();
        // the same for every member: built once per attempt, shared by its assignments
        DatasetRef dataset =
                DatasetRef.newBuilder()
                        .setName(plan.dataset())
                        .setSizeBytes(plan.datasetSizeBytes())
                        .setSha256(null)
                        .build();
        PhaseTimeouts timeouts = timeouts(config.timeouts());
        ModelConfig model = model(config.model(), seed(plan.jobId()));
        AggregationConfig aggregation = aggregation(config.aggregation());
        String modelName = config.models().modelFor(plan.programId(), plan.language());
        List<WorkerAssignment> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            TrainingAssigned assigned =
                    TrainingAssigned.newBuilder()
                            .setRank(members.get(i).rank())
                            .setWorldSize(members.size())
                            .setWorkers(addresses)
                            .setShard(shards.get(i))
                            .setValidation(validation)
                            .setDataset(dataset)
                            .setEpochs(plan.epochs())
                            .setBatchSize(config.master().batchSize())
                            .setTimeouts(timeouts)
                            .setAggregator(addresses.get(0))
                            .setModel(model)
                            .setAggregation(aggregation)
                            .setLanguage(plan.language())
                            .setProgramId(plan.programId())
                            .setModelName(modelName)
                            .build();
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
        return WorkerAssignment.newBuilder()
                .setWorker(worker)
                .setJobId(jobId)
                .setAttempt(attempt)
                .setPayload(payload)
                .build();
    }

    /** The job's model seed: the first 8 bytes of its id. */
    static long seed(String jobId) {
        return ByteBuffer.wrap(JobIds.toBytes(jobId)).getLong();
    }

    private static PhaseTimeouts timeouts(WorkerTimeouts t) {
        return PhaseTimeouts.newBuilder()
                .setWaitDataMs(t.waitData().toMillis())
                .setIdleMs(t.idle().toMillis())
                .setLearningMs(t.learning().toMillis())
                .setCheckpointMs(t.checkpoint().toMillis())
                .build();
    }

    private static ModelConfig model(ModelSettings m, long seed) {
        return ModelConfig.newBuilder()
                .setContextLength(m.contextLength())
                .setEmbeddingDim(m.embeddingDim())
                .setLayers(m.layers())
                .setHeads(m.heads())
                .setDropout(m.dropout())
                .setLearningRate(m.learningRate())
                .setWeightDecay(m.weightDecay())
                .setGradientClip(m.gradientClip())
                .setSeed(seed)
                .build();
    }

    private static AggregationConfig aggregation(AggregationSettings a) {
        return AggregationConfig.newBuilder()
                .setMethod(a.method())
                .setOuterLearningRate(a.outerLearningRate())
                .setOuterMomentum(a.outerMomentum())
                .build();
    }
}
