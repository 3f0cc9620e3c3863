package io.emeth.worker.it;

import io.emeth.common.config.WorkerTimeouts;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.worker.AggregationConfig;
import io.emeth.schemas.avro.worker.AggregationMethod;
import io.emeth.schemas.avro.worker.ByteRange;
import io.emeth.schemas.avro.worker.DatasetRef;
import io.emeth.schemas.avro.worker.ModelConfig;
import io.emeth.schemas.avro.worker.PhaseTimeouts;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.worker.gpt2.Gpt2Config;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.gpt2.HfTokenizers;
import io.emeth.worker.training.TokenizerLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * What the test, playing the master, tells workers: assignments and rounds, and a corpus. The
 * timeouts and the tiny model are public for the end-to-end drills, whose real master must tell its
 * workers the same.
 */
public final class TestJobs {
    /** The phase timeouts every IT's workers run with: long enough for two shared cores. */
    public static final WorkerTimeouts TIMEOUTS =
            new WorkerTimeouts(
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(120),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60));

    /**
     * The pretrained model the end-to-end drills' master names for every job: a tiny GPT-2 (2
     * layers of 32, 32 positions) with a byte-level tokenizer, in Hugging Face's layout, so that
     * the drills run the real fine-tuning path and still train in seconds.
     */
    public static final String TINY_GPT2 = "tiny-gpt2";

    /** The name the ITs' corpus is stored under. */
    static final String CORPUS = "corpus.txt";

    private TestJobs() {}

    static String newJobId() {
        byte[] id = new byte[16];
        new Random().nextBytes(id);
        return "0x" + HexFormat.of().formatHex(id);
    }

    /** Writes {@link #TINY_GPT2} into {@code modelsDir} unless it is there; returns its folder. */
    public static Path writeTinyGpt2(Path modelsDir) throws IOException {
        Path dir = modelsDir.resolve(TINY_GPT2);
        if (!Files.isRegularFile(dir.resolve(TokenizerLoader.FILE))) {
            Gpt2Model.writeRandom(
                    dir, Gpt2Config.of(2, 32, 2, HfTokenizers.BYTE_LEVEL_VOCAB, 32), 5);
            HfTokenizers.writeByteLevel(dir);
        }
        return dir;
    }

    /** A tiny model (about 43 thousand parameters) that trains in seconds on two cores. */
    public static ModelConfig tinyModel() {
        return ModelConfig.newBuilder()
                .setVocabSize(256)
                .setContextLength(32)
                .setEmbeddingDim(32)
                .setLayers(2)
                .setHeads(2)
                .setDropout(0)
                .setLearningRate(3e-3)
                .setWeightDecay(0.01)
                .setGradientClip(1.0)
                .setSeed(42)
                .build();
    }

    static PhaseTimeouts timeouts(long checkpointMs) {
        return PhaseTimeouts.newBuilder()
                .setWaitDataMs(60_000)
                .setIdleMs(120_000)
                .setLearningMs(30_000)
                .setCheckpointMs(checkpointMs)
                .build();
    }

    static WorkerAssignment assigned(
            String jobId,
            List<String> workers,
            int rank,
            String dataset,
            long size,
            int epochs,
            long checkpointMs,
            AggregationConfig aggregation) {
        ByteRange whole = ByteRange.newBuilder().setStartByte(0).setEndByte(size).build();
        TrainingAssigned t =
                TrainingAssigned.newBuilder()
                        .setRank(rank)
                        .setWorldSize(workers.size())
                        .setWorkers(workers)
                        .setShard(whole)
                        .setValidation(whole)
                        .setDataset(
                                DatasetRef.newBuilder()
                                        .setName(dataset)
                                        .setSizeBytes(size)
                                        .setSha256(null)
                                        .build())
                        .setEpochs(epochs)
                        .setBatchSize(8)
                        .setTimeouts(timeouts(checkpointMs))
                        .setAggregator(workers.get(0))
                        .setModel(tinyModel())
                        .setAggregation(aggregation)
                        .setLanguage("en")
                        .setProgramId(0)
                        .build();
        return WorkerAssignment.newBuilder()
                .setWorker(workers.get(rank))
                .setJobId(jobId)
                .setAttempt(1)
                .setPayload(t)
                .build();
    }

    /**
     * The job's assignment for every worker, in rank order (a worker's rank is its place in {@code
     * workers}), on the corpus seeded as {@link #CORPUS}.
     */
    static List<WorkerAssignment> job(
            String jobId,
            List<String> workers,
            long corpusSize,
            int epochs,
            long checkpointMs,
            AggregationConfig aggregation) {
        List<WorkerAssignment> assignments = new ArrayList<>();
        for (int rank = 0; rank < workers.size(); rank++) {
            assignments.add(
                    assigned(
                            jobId,
                            workers,
                            rank,
                            CORPUS,
                            corpusSize,
                            epochs,
                            checkpointMs,
                            aggregation));
        }
        return assignments;
    }

    static AggregationConfig average() {
        return AggregationConfig.newBuilder()
                .setMethod(AggregationMethod.AVERAGE)
                .setOuterLearningRate(1.0)
                .setOuterMomentum(0.0)
                .build();
    }

    static AggregationConfig diloco() {
        return AggregationConfig.newBuilder()
                .setMethod(AggregationMethod.DILOCO)
                .setOuterLearningRate(0.7)
                .setOuterMomentum(0.9)
                .build();
    }

    static WorkerAssignment round(
            String jobId,
            String worker,
            int epoch,
            ModelRef global,
            String hashChain,
            List<String> participants) {
        return WorkerAssignment.newBuilder()
                .setWorker(worker)
                .setJobId(jobId)
                .setAttempt(1)
                .setPayload(
                        RoundOpened.newBuilder()
                                .setEpoch(epoch)
                                .setGlobalModel(global)
                                .setHashChain(hashChain)
                                .setParticipants(participants)
                                .setAggregator(null)
                                .build())
                .build();
    }

    /** Round {@code epoch} opened for every worker, as the master opens it once the last closed. */
    static List<WorkerAssignment> rounds(
            String jobId, List<String> workers, int epoch, ModelRef global, String hashChain) {
        return workers.stream()
                .map(w -> round(jobId, w, epoch, global, hashChain, workers))
                .toList();
    }

    /**
     * English text of {@code bytes} bytes: sentences drawn from a small grammar, so a tiny model
     * learns it within an epoch or two.
     */
    static byte[] corpus(int bytes, long seed) {
        String[] subjects = {
            "The cat", "A dog", "The old man", "My sister", "The bird", "Our teacher"
        };
        String[] verbs = {"sees", "likes", "finds", "keeps", "paints", "reads"};
        String[] objects = {
            "the red ball", "a small house", "the green tree", "an open book", "the blue sea"
        };
        String[] endings = {" today.", " at night.", " in the park.", " every morning.", "."};
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(bytes + 64);
        while (text.length() < bytes) {
            text.append(subjects[random.nextInt(subjects.length)])
                    .append(' ')
                    .append(verbs[random.nextInt(verbs.length)])
                    .append(' ')
                    .append(objects[random.nextInt(objects.length)])
                    .append(endings[random.nextInt(endings.length)])
                    .append(random.nextInt(8) == 0 ? "\n" : " ");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
