package io.emeth.worker.jobs;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.worker.gpt2.Gpt2Config;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.gpt2.Safetensors;
import io.emeth.worker.hashchain.HashChain;
import io.emeth.worker.training.TokenizerLoader;
import io.emeth.worker.weights.TensorSource;
import io.emeth.worker.weights.WeightsCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a job for its aggregator: the genesis link of the chain, and after the last round the
 * result bundle ({@link ResultBundle}: final model and hash chain) uploaded and announced with
 * {@code ResultUploaded}, whose {@code resultFileName} is what the master submits on chain.
 */
final class ResultPublisher {
    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);

    private final JobResources job;

    ResultPublisher(JobResources job) {
        this.job = job;
    }

    /** {@code h_0} as hex, computed once from the data set and job id and kept in the job state. */
    String genesis() throws IOException {
        String known = job.store.genesis();
        if (known == null) {
            known = ModelStore.hex(HashChain.genesis(job.data.datasetSha256(), job.spec.jobId()));
            job.store.genesis(known);
        }
        return known;
    }

    /**
     * Uploads the bundle of {@code finalModel} (the last global model) and publishes {@code
     * ResultUploaded}.
     *
     * @param rounds the {@code RoundAggregated} per epoch as seen on the topic, for rounds this
     *     worker did not aggregate itself: this attempt's, or an earlier attempt's for the epochs
     *     before a re-planned attempt started
     */
    void publish(
            TensorSource finalModel,
            ModelRef global,
            String lastLink,
            double validationLoss,
            IntFunction<TrainingEvent> rounds)
            throws IOException, InterruptedException, JobFailure {
        JobSpec spec = job.spec;
        List<ResultBundle.Link> links = new ArrayList<>();
        for (int epoch = 1; epoch <= spec.epochs(); epoch++) {
            links.add(link(epoch, rounds));
        }
        String datasetSha = ModelStore.hex(job.data.datasetSha256());
        ModelRef uploaded;
        if (job.modelDir == null) {
            String chain =
                    ResultBundle.chainJson(
                            spec.jobId(), spec.attempt(), datasetSha, genesis(), links);
            byte[] bundle = ResultBundle.zip(WeightsCodec.encode(finalModel), chain);
            uploaded =
                    job.ctx
                            .storage()
                            .uploadFile(
                                    spec.jobId(),
                                    bundle,
                                    job.dir().resolve("result.zip"),
                                    ResultBundle.EXTENSION);
        } else {
            uploaded = uploadCheckpoint(finalModel, lastLink, datasetSha, links);
        }
        job.ctx
                .publisher()
                .publish(
                        job.events.resultUploaded(
                                uploaded.getUri(), global, lastLink, validationLoss));
        job.store.resultFileName(uploaded.getUri());
        log.info(
                "Result uploaded [jobId:{}, attempt:{}, resultFileName:{}, hashChain:{}]",
                spec.jobId(),
                spec.attempt(),
                uploaded.getUri(),
                lastLink);
    }

    /**
     * The fine-tuned GPT-2 in HF's layout: {@code model.safetensors} written from the final
     * weights, the source checkpoint's {@code config.json} and {@code tokenizer.json}, and the
     * chain with the safetensors file's sha256 bound to {@code h_E}.
     */
    private ModelRef uploadCheckpoint(
            TensorSource finalModel,
            String lastLink,
            String datasetSha,
            List<ResultBundle.Link> links)
            throws IOException {
        JobSpec spec = job.spec;
        Path out = job.dir().resolve("result");
        Files.createDirectories(out);
        Path weights = out.resolve(Gpt2Model.WEIGHTS_FILE);
        Safetensors.write(weights, finalModel);
        Path config = out.resolve(Gpt2Config.FILE);
        Path tokenizer = out.resolve(TokenizerLoader.FILE);
        Files.copy(job.modelDir.resolve(Gpt2Config.FILE), config, REPLACE_EXISTING);
        Files.copy(job.modelDir.resolve(TokenizerLoader.FILE), tokenizer, REPLACE_EXISTING);
        byte[] weightsSha = ModelStore.sha256(weights);
        String resultLink =
                ModelStore.hex(HashChain.resultLink(HexFormat.of().parseHex(lastLink), weightsSha));
        String chain =
                ResultBundle.chainJson(
                        spec.jobId(),
                        spec.attempt(),
                        datasetSha,
                        genesis(),
                        links,
                        new ResultBundle.Result(
                                Gpt2Model.WEIGHTS_FILE, ModelStore.hex(weightsSha), resultLink));
        Path zip = job.dir().resolve("result.zip");
        ResultBundle.zip(zip, List.of(weights, config, tokenizer), chain);
        log.info(
                "Result bundle written [jobId:{}, modelSha256:{}, resultLink:{}, bytes:{}]",
                spec.jobId(),
                ModelStore.hex(weightsSha),
                resultLink,
                Files.size(zip));
        return job.ctx.storage().uploadPath(spec.jobId(), zip, ResultBundle.EXTENSION);
    }

    private ResultBundle.Link link(int epoch, IntFunction<TrainingEvent> rounds) throws JobFailure {
        JobStore.Round saved = job.store.round(epoch);
        if (saved != null) {
            return new ResultBundle.Link(
                    epoch, saved.modelUri, saved.modelSha256, saved.validationLoss, saved.link);
        }
        TrainingEvent event = rounds.apply(epoch);
        if (event != null) {
            RoundAggregated r = (RoundAggregated) event.getPayload();
            return new ResultBundle.Link(
                    epoch,
                    r.getGlobalModel().getUri(),
                    r.getGlobalModel().getSha256(),
                    r.getValidationLoss(),
                    r.getHashChainLink());
        }
        throw new JobFailure(
                WorkerPhase.CHECKPOINT,
                "the result's hash chain lacks epoch "
                        + epoch
                        + ": no RoundAggregated for it in this attempt or an earlier one");
    }
}
