package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.storage.StorageClient;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.worker.WorkerOptions;
import io.emeth.worker.gpt2.Gpt2Config;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.gpt2.HfTokenizers;
import io.emeth.worker.hashchain.HashChain;
import io.emeth.worker.jobs.JobContext;
import io.emeth.worker.training.TrainingRecipe;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.WeightsCodec;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Two workers fine-tune a pretrained GPT-2 from their models_dir (a small random checkpoint with a
 * byte-level BPE tokenizer.json) for two rounds, and the aggregator delivers it in HF's layout.
 */
class WorkerGpt2IT {
    private static final String MODEL = "gpt2-tiny";

    @AutoClose private WorkerStack stack;

    @Test
    void shouldFineTuneAPretrainedGpt2AndDeliverItInHfLayoutBoundToTheHashChain() throws Exception {
        // Given a models_dir holding a small GPT-2 with its tokenizer, and two workers using it
        stack = new WorkerStack("WorkerGpt2IT");
        Path models = stack.dir.resolve("models");
        Gpt2Model.writeRandom(
                models.resolve(MODEL),
                Gpt2Config.of(2, 32, 2, HfTokenizers.BYTE_LEVEL_VOCAB, 64),
                5);
        HfTokenizers.writeByteLevel(models.resolve(MODEL));
        TrainingRecipe recipe = new TrainingRecipe(32, 8, 3e-3f, 0.1f, true, 0.01f, 1f, 0.1f, 1);
        WorkerOptions options =
                WorkerOptions.defaults()
                        .withModels(new JobContext.Models(models, HfTokenizers.LOADER, recipe));
        String jobId = TestJobs.newJobId();
        byte[] dataset = stack.seedCorpus(jobId, 16_000, 3);
        StartedWorkers started = stack.startWorkers(options, "a", "b");
        List<String> workers = started.addresses();

        // When the master assigns the job naming the model and opens both rounds
        stack.assignAll(
                withModel(
                        TestJobs.job(
                                jobId, workers, dataset.length, 2, 60_000, TestJobs.average())));
        stack.assignAll(TestJobs.rounds(jobId, workers, 1, null, ""));
        RoundAggregated first = awaitRound(jobId, 1);
        stack.assignAll(
                TestJobs.rounds(
                        jobId, workers, 2, first.getGlobalModel(), first.getHashChainLink()));
        RoundAggregated second = awaitRound(jobId, 2);
        Awaitility.await("the result")
                .atMost(Duration.ofSeconds(60))
                .until(() -> stack.recorder.anyTraining(ResultUploaded.class));
        ResultUploaded result = stack.recorder.firstTraining(ResultUploaded.class);

        // Then fine-tuning lowered the validation loss
        assertThat(second.getValidationLoss()).isLessThan(first.getValidationLoss());

        // And the result is HF's layout: weights, config and tokenizer, plus the hash chain
        Path delivered = unzip(jobId, result.getResultFileName());
        assertThat(delivered.resolve("config.json"))
                .hasSameTextualContentAs(models.resolve(MODEL).resolve("config.json"));
        assertThat(delivered.resolve("tokenizer.json"))
                .hasSameBinaryContentAs(models.resolve(MODEL).resolve("tokenizer.json"));
        Gpt2Model.Checkpoint checkpoint = Gpt2Model.checkpoint(delivered);

        // And its weights are the last round's global model, which the chain's h_2 covers
        ModelWeights global = download(jobId, second.getGlobalModel().getUri());
        assertThat(checkpoint.weights()).isEqualTo(global);
        assertThat(checkpoint.weights())
                .isNotEqualTo(Gpt2Model.checkpoint(models.resolve(MODEL)).weights());

        // And the chain binds the sha256 of the delivered model.safetensors to h_2
        byte[] fileSha =
                HashChain.sha256(Files.readAllBytes(delivered.resolve("model.safetensors")));
        JsonNode chain = new ObjectMapper().readTree(delivered.resolve("hashchain.json").toFile());
        assertThat(chain.at("/result/sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(fileSha));
        assertThat(chain.at("/result/link").asText())
                .isEqualTo(
                        HexFormat.of()
                                .formatHex(
                                        HashChain.resultLink(
                                                HexFormat.of().parseHex(second.getHashChainLink()),
                                                fileSha)));
        assertThat(stack.recorder.training(TrainingFailed.class, e -> true)).isEmpty();
    }

    private static List<WorkerAssignment> withModel(List<WorkerAssignment> assignments) {
        List<WorkerAssignment> named = new ArrayList<>();
        for (WorkerAssignment a : assignments) {
            TrainingAssigned t =
                    TrainingAssigned.newBuilder((TrainingAssigned) a.getPayload())
                            .setModelName(MODEL)
                            .build();
            named.add(WorkerAssignment.newBuilder(a).setPayload(t).build());
        }
        return named;
    }

    private RoundAggregated awaitRound(String jobId, int epoch) {
        Awaitility.await("round " + epoch + " aggregated")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .failFast(() -> !stack.recorder.training(TrainingFailed.class, e -> true).isEmpty())
                .until(
                        () ->
                                !stack.recorder
                                        .training(
                                                RoundAggregated.class,
                                                e ->
                                                        e.getJobId().equals(jobId)
                                                                && ((RoundAggregated)
                                                                                        e
                                                                                                .getPayload())
                                                                                .getEpoch()
                                                                        == epoch)
                                        .isEmpty());
        return stack.recorder.roundAggregated(epoch);
    }

    private StorageClient client() {
        return StorageClient.builder(URI.create(stack.storage.url()), NodeIdentity.generate())
                .build();
    }

    private ModelWeights download(String jobId, String fileName) throws Exception {
        Path file = stack.dir.resolve("global.emwt");
        client().download(jobId, fileName, file);
        return WeightsCodec.decode(Files.readAllBytes(file));
    }

    private Path unzip(String jobId, String fileName) throws Exception {
        Path zip = stack.dir.resolve("result.zip");
        client().download(jobId, fileName, zip);
        Path out = stack.dir.resolve("delivered");
        Files.createDirectories(out);
        try (InputStream in = Files.newInputStream(zip);
                ZipInputStream entries = new ZipInputStream(in)) {
            for (ZipEntry e = entries.getNextEntry(); e != null; e = entries.getNextEntry()) {
                Files.copy(entries, out.resolve(e.getName()));
            }
        }
        return out;
    }
}
