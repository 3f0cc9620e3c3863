package io.emeth.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.config.WorkerTimeouts;
import io.emeth.schemas.avro.worker.AggregationConfig;
import io.emeth.schemas.avro.worker.AggregationMethod;
import io.emeth.schemas.avro.worker.ByteRange;
import io.emeth.schemas.avro.worker.DatasetRef;
import io.emeth.schemas.avro.worker.ModelConfig;
import io.emeth.schemas.avro.worker.PhaseTimeouts;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.worker.data.Language;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class JobSpecTest {

    private static final String ME = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    private static final String OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static final String JOB = "0x0123456789abcdef0123456789abcdef";
    private static final WorkerTimeouts LOCAL =
            new WorkerTimeouts(
                    Duration.ofMillis(300_000),
                    Duration.ofMillis(1_200_000),
                    Duration.ofMillis(10_000),
                    Duration.ofMillis(2_400_000));

    @Test
    void shouldBuildTheModelAndLimitsFromAValidAssignment() {
        JobSpec spec = spec(t -> {});

        assertThat(spec.jobId()).isEqualTo(JOB);
        assertThat(spec.rank()).isEqualTo(1);
        assertThat(spec.worldSize()).isEqualTo(2);
        assertThat(spec.workers()).containsExactly(OTHER, ME);
        assertThat(spec.aggregator()).isEqualTo(OTHER);
        assertThat(spec.model().contextLength()).isEqualTo(32);
        assertThat(spec.model().batchSize()).isEqualTo(8);
        assertThat(spec.model().seed()).isEqualTo(99);
        assertThat(spec.language()).isEqualTo(Language.JA);
        assertThat(spec.datasetSha256()).contains("ab".repeat(32));
        assertThat(spec.assignedAtMs()).isEqualTo(123L);
        assertThat(spec.diloco()).isFalse();
        // the stricter of the worker's and the master's timeout; 0 from the master means "the
        // worker's"
        assertThat(spec.limits())
                .isEqualTo(new JobSpec.PhaseLimits(5_000, 1_200_000, 10_000, 2_400_000));
    }

    @Test
    void shouldTakeOnlyBatchSizeAndSeedOfTheModelConfigForAPretrainedModel() {
        JobSpec spec =
                spec(
                        t -> {
                            t.setModelName("gpt2-medium");
                            t.getModel().setVocabSize(50_257); // not the byte fixture's
                        });

        assertThat(spec.modelName()).contains("gpt2-medium");
        assertThat(spec.model().batchSize()).isEqualTo(8);
        assertThat(spec.model().seed()).isEqualTo(99);
        assertThat(spec(t -> {}).modelName()).isEmpty();
    }

    @Test
    void shouldRefuseAModelNameThatIsNotOneDirectoryName() {
        expect(
                t -> t.setModelName("../etc"),
                "TrainingAssigned.modelName must be a directory name");
        expect(t -> t.setModelName("a/b"), "TrainingAssigned.modelName must be a directory name");
        expect(t -> t.setModelName(""), "TrainingAssigned.modelName must be a directory name");
    }

    @Test
    void shouldRefuseEachValueItCannotHonourNamingTheField() {
        expect(t -> t.setProgramId(1), "TrainingAssigned.programId 1 is not supported");
        expect(t -> t.setWorldSize(0), "TrainingAssigned.worldSize must be in [1, 4096], was 0");
        expect(t -> t.setWorldSize(1_000_000), "TrainingAssigned.worldSize must be in [1, 4096]");
        expect(t -> t.setRank(2), "TrainingAssigned.rank must be in [0, 1], was 2");
        expect(t -> t.setRank(-1), "TrainingAssigned.rank must be in [0, 1], was -1");
        expect(t -> t.setEpochs(0), "TrainingAssigned.epochs must be in [1, 10000], was 0");
        expect(t -> t.setBatchSize(0), "TrainingAssigned.batchSize must be in [1, 65536], was 0");
        expect(
                t -> t.setWorkers(List.of(ME, OTHER)),
                "TrainingAssigned.workers puts " + OTHER + " at rank 1, not this worker");
        expect(
                t -> t.setWorkers(List.of(OTHER)),
                "TrainingAssigned.workers lists 1 addresses for worldSize 2");
        expect(
                t -> t.setWorkers(List.of(OTHER, "robert'); drop table")),
                "TrainingAssigned.workers holds 'robert'); drop table'");
        expect(
                t -> t.setAggregator("nobody"),
                "TrainingAssigned.aggregator is not an address: 'nobody'");
        expect(
                t -> t.getDataset().setName(""),
                "TrainingAssigned.dataset.name must be 1..256 printable characters");
        expect(
                t -> t.getDataset().setName("x".repeat(300)),
                "TrainingAssigned.dataset.name must be 1..256 printable characters");
        expect(t -> t.getDataset().setName("a\u0000b"), "was 'a?b'");
        expect(
                t -> t.getDataset().setSha256("not-a-hash"),
                "TrainingAssigned.dataset.sha256 must be 64 hex characters, was 'not-a-hash'");
        expect(
                t -> t.setLanguage("fr"),
                "TrainingAssigned.language param.language is 'fr'; accepted values: en, ja");
        expect(
                t -> t.getModel().setVocabSize(50_000),
                "TrainingAssigned.model.vocabSize must be 256 (byte-level tokens), was 50000");
        expect(
                t -> t.getModel().setHeads(3),
                "TrainingAssigned.model model.embeddingDim (32) must be divisible by model.heads (3)");
        expect(t -> t.getModel().setDropout(1.5), "model.dropout must be in [0, 1), was 1.5");
        expect(
                t -> t.getModel().setLearningRate(Double.NaN),
                "model.learningRate must be a positive finite number");
        expect(
                t -> {
                    t.getModel().setEmbeddingDim(16_384);
                    t.getModel().setHeads(16);
                    t.getModel().setLayers(64);
                },
                "parameters; this worker builds at most 500000000");
        expect(
                t ->
                        t.setAggregation(
                                AggregationConfig.newBuilder()
                                        .setMethod(AggregationMethod.DILOCO)
                                        .setOuterLearningRate(-1)
                                        .setOuterMomentum(0.9)
                                        .build()),
                "TrainingAssigned.aggregation outer learning rate must be in (0, 10], was -1.0");
    }

    @Test
    void shouldRefuseAMalformedJobIdOrAttempt() {
        assertThatThrownBy(
                        () ->
                                JobSpec.from(
                                        assignment(t -> {}).setJobId("0x12").build(),
                                        training(t -> {}),
                                        ME,
                                        LOCAL,
                                        0))
                .isInstanceOf(JobSpec.InvalidAssignmentException.class)
                .hasMessageContaining("TrainingAssigned.jobId")
                .hasMessageContaining("0x followed by 32 hex digits");
        assertThatThrownBy(
                        () ->
                                JobSpec.from(
                                        assignment(t -> {}).setAttempt(0).build(),
                                        training(t -> {}),
                                        ME,
                                        LOCAL,
                                        0))
                .hasMessageContaining("TrainingAssigned.attempt must be >= 1, was 0");
    }

    @Test
    void shouldAcceptAnAssignmentWithoutTheWorkerList() {
        assertThat(spec(t -> t.setWorkers(List.of())).workers()).isEmpty();
    }

    private static void expect(Consumer<TrainingAssigned> change, String message) {
        assertThatThrownBy(() -> spec(change))
                .isInstanceOf(JobSpec.InvalidAssignmentException.class)
                .hasMessageContaining(message);
    }

    private static JobSpec spec(Consumer<TrainingAssigned> change) {
        TrainingAssigned t = training(change);
        return JobSpec.from(assignment(x -> {}).build(), t, ME, LOCAL, 123L);
    }

    private static WorkerAssignment.Builder assignment(Consumer<WorkerAssignment.Builder> change) {
        WorkerAssignment.Builder b =
                WorkerAssignment.newBuilder()
                        .setWorker(ME)
                        .setJobId(JOB)
                        .setAttempt(1)
                        .setPayload(training(t -> {}));
        change.accept(b);
        return b;
    }

    private static TrainingAssigned training(Consumer<TrainingAssigned> change) {
        ByteRange range = ByteRange.newBuilder().setStartByte(0).setEndByte(100).build();
        TrainingAssigned t =
                TrainingAssigned.newBuilder()
                        .setRank(1)
                        .setWorldSize(2)
                        .setWorkers(List.of(OTHER, ME))
                        .setShard(range)
                        .setValidation(range)
                        .setDataset(
                                DatasetRef.newBuilder()
                                        .setName("data.txt")
                                        .setSizeBytes(10_000)
                                        .setSha256("AB".repeat(32))
                                        .build())
                        .setEpochs(3)
                        .setBatchSize(8)
                        .setTimeouts(
                                PhaseTimeouts.newBuilder()
                                        .setWaitDataMs(5_000)
                                        .setIdleMs(0)
                                        .setLearningMs(60_000)
                                        .setCheckpointMs(-1)
                                        .build())
                        .setAggregator(OTHER.toLowerCase())
                        .setModel(
                                ModelConfig.newBuilder()
                                        .setVocabSize(256)
                                        .setContextLength(32)
                                        .setEmbeddingDim(32)
                                        .setLayers(2)
                                        .setHeads(2)
                                        .setDropout(0)
                                        .setLearningRate(3e-3)
                                        .setWeightDecay(0.01)
                                        .setGradientClip(1)
                                        .setSeed(99)
                                        .build())
                        .setAggregation(
                                AggregationConfig.newBuilder()
                                        .setMethod(AggregationMethod.AVERAGE)
                                        .setOuterLearningRate(1)
                                        .setOuterMomentum(0)
                                        .build())
                        .setLanguage("ja")
                        .setProgramId(0)
                        .build();
        change.accept(t);
        return t;
    }
}
