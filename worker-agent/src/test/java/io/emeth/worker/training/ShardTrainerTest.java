package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.emeth.worker.averaging.ModelAveraging;
import io.emeth.worker.averaging.ShardUpdate;
import io.emeth.worker.weights.ModelWeights;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ShardTrainerTest {

    private static final GptConfig TINY = GptConfig.tiny();
    private static final byte[] CORPUS =
            "the quick brown fox jumps over the lazy dog. "
                    .repeat(100)
                    .getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldLowerTheLossOnARepetitiveCorpus() {
        try (GptModel model = GptModel.create(TINY, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model)) {
            // Given an untrained model (about ln 256 = 5.5 nats per byte)
            double before = trainer.evaluate(CORPUS);

            // When it trains three epochs on a repeated sentence
            EpochResult first = trainer.trainEpoch(CORPUS, 1);
            trainer.trainEpoch(CORPUS, 2);
            EpochResult third = trainer.trainEpoch(CORPUS, 3);
            double after = trainer.evaluate(CORPUS);

            // Then the loss falls far below its start, epoch over epoch
            assertThat(before).isBetween(5.0, 6.0);
            assertThat(third.meanLoss()).isLessThan(first.meanLoss());
            assertThat(after).isLessThan(before / 2);
            assertThat(first.tokens()).isEqualTo((CORPUS.length - 1) / 32 * 32L);
        }
    }

    @Test
    void shouldReportProgressOfTheEpoch() {
        try (GptModel model = GptModel.create(TINY, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model)) {
            assertThat(trainer.progress()).isEqualTo(TrainingProgress.IDLE);

            EpochResult result = trainer.trainEpoch(CORPUS, 4);

            TrainingProgress progress = trainer.progress();
            assertThat(progress.epoch()).isEqualTo(4);
            assertThat(progress.batchesDone()).isEqualTo(result.batches());
            assertThat(progress.fraction()).isEqualTo(1.0);
            assertThat(progress.tokensDone()).isEqualTo(result.tokens());
            assertThat(progress.lastLoss()).isFinite();
            assertThat(result.duration()).isPositive();
        }
    }

    @Test
    void shouldTrainTheWeightsLoadedIntoTheLiveModel() {
        try (GptModel model = GptModel.create(TINY, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model)) {
            // Given a trainer that trained one epoch, and the fresh model's loss
            ModelWeights fresh = model.weights();
            double freshLoss = trainer.evaluate(CORPUS);
            trainer.trainEpoch(CORPUS, 1);

            // When the fresh weights are loaded back under the live trainer
            model.load(fresh);

            // Then the model evaluates as the fresh one, and training them lowers the loss again
            assertThat(trainer.evaluate(CORPUS)).isEqualTo(freshLoss);
            trainer.trainEpoch(fresh, CORPUS, 2);
            assertThat(trainer.evaluate(CORPUS)).isLessThan(freshLoss);
            assertThat(model.weights()).isNotEqualTo(fresh);
        }
    }

    @Test
    void shouldAverageShardsIntoTheLiveGlobalModel() {
        try (GptModel global = GptModel.create(TINY, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(global)) {
            // Given two shard results: the fresh model and a shifted copy, equal tokens
            ModelWeights fresh = global.weights();
            ModelWeights shifted = GptModelTest.shift(fresh, 1f);
            List<ShardUpdate> shards =
                    List.of(new ShardUpdate("0", fresh, 10), new ShardUpdate("1", shifted, 10));

            // When averaged into the live global model
            ModelWeights next = ModelAveraging.plain().aggregateInto(global, shards);

            // Then the model holds the average (fresh + 0.5) and a trainer on it still trains
            assertThat(global.weights()).isEqualTo(next);
            float[] expected = fresh.tensors().get(0).data();
            assertThat(next.tensors().get(0).data()[3])
                    .isCloseTo(expected[3] + 0.5f, within(1e-6f));
            EpochResult result = trainer.trainEpoch(CORPUS, 1);
            assertThat(result.meanLoss()).isFinite();
            assertThat(global.weights()).isNotEqualTo(next);
        }
    }

    @Test
    void shouldStopWhenCanceled() {
        try (GptModel model = GptModel.create(TINY, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model)) {
            trainer.cancel();
            assertThatThrownBy(() -> trainer.trainEpoch(CORPUS, 1))
                    .isInstanceOf(CancellationException.class)
                    .hasMessageContaining("training of epoch 1 canceled after 0 of 18 batches");
        }
    }

    @Test
    void shouldRefuseAShardShorterThanOneWindow() {
        try (GptModel model = GptModel.create(TINY, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model)) {
            assertThatThrownBy(() -> trainer.trainEpoch(new byte[10], 1))
                    .hasMessageContaining("corpus has 10 tokens");
            assertThatThrownBy(() -> trainer.evaluate(new byte[1]))
                    .hasMessageContaining("validation text has 1 tokens");
        }
    }

    @Test
    void shouldTrainTwoModelsFromTwoThreadsAtOnce() throws Exception {
        // Given two workers' models in one JVM (as in an IT)
        try (GptModel a = GptModel.create(TINY, Device.cpu());
                GptModel b = GptModel.create(TINY.withSeed(3), Device.cpu());
                ShardTrainer ta = new ShardTrainer(a);
                ShardTrainer tb = new ShardTrainer(b)) {
            // When both train at the same time
            CompletableFuture<EpochResult> ra =
                    CompletableFuture.supplyAsync(() -> ta.trainEpoch(CORPUS, 1));
            CompletableFuture<EpochResult> rb =
                    CompletableFuture.supplyAsync(() -> tb.trainEpoch(CORPUS, 1));

            // Then both finish (PyTorch allows one gradient collector per process)
            assertThat(ra.get().meanLoss()).isFinite();
            assertThat(rb.get().meanLoss()).isFinite();
        }
    }
}
