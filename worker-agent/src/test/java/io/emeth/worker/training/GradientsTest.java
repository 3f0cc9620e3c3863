package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GradientsTest {

    private static final GptConfig TINY = GptConfig.tiny();
    private static final byte[] CORPUS =
            "the quick brown fox jumps over the lazy dog. "
                    .repeat(30)
                    .getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldFreeTheGradientsAndKeepTheParametersAfterAStep() {
        try (GptModel model = GptModel.create(TINY, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model)) {
            // Given the parameter arrays and their values before training
            List<NDArray> arrays = arrays(model);
            io.emeth.worker.weights.ModelWeights before = model.weights();

            // When the trainer takes steps
            trainer.train(CORPUS, 1, 3);

            // Then the parameters are the same arrays, changed by the steps, and hold no gradient
            // until the next backward pass
            TorchEngine.locked(
                    () -> {
                        List<NDArray> after = arrays(model);
                        for (int i = 0; i < arrays.size(); i++) {
                            assertThat(after.get(i)).isSameAs(arrays.get(i));
                            assertThat(after.get(i).hasGradient()).isTrue();
                            assertThat(JniUtils.getGradient((PtNDArray) after.get(i))).isNull();
                        }
                        return null;
                    });
            assertThat(model.weights()).isNotEqualTo(before);
        }
    }

    @Test
    void shouldTrainExactlyAsWithGradientsZeroedInPlace() {
        try (GptModel released = GptModel.create(TINY, Device.cpu());
                GptModel kept = GptModel.create(TINY, Device.cpu());
                ShardTrainer trainer = new ShardTrainer(released)) {
            // Given two equal models
            assertThat(kept.weights()).isEqualTo(released.weights());

            // When one trains 4 steps through the trainer (gradients freed after each step) and
            // the other takes the same steps with DJL's own zeroing of the gradients
            trainer.train(CORPUS, 1, 4);
            trainKeepingGradients(kept, TokenEncoder.ofBytes(CORPUS), 4);

            // Then their weights are bit for bit the same
            assertThat(released.weights()).isEqualTo(kept.weights());
        }
    }

    /** ShardTrainer's step as it was before the gradients were freed. */
    private static void trainKeepingGradients(GptModel model, int[] tokens, int steps) {
        TrainingRecipe recipe = model.config().recipe();
        Set<String> decayed = new HashSet<>();
        for (Pair<String, Parameter> p : model.namedParameters()) {
            if (model.decays(p.getKey())) {
                decayed.add(p.getValue().getId());
            }
        }
        ScheduledAdamW optimizer = new ScheduledAdamW(decayed, recipe.weightDecay());
        List<NDArray> arrays = arrays(model);
        List<TokenBatcher.Batch> batches =
                new TokenBatcher(tokens, recipe.contextLength(), recipe.batchSize())
                        .epoch(recipe.seed(), 1);
        TorchEngine.locked(
                () -> {
                    try (Trainer trainer =
                            model.djlModel()
                                    .newTrainer(
                                            new DefaultTrainingConfig(
                                                            Loss.softmaxCrossEntropyLoss())
                                                    .optOptimizer(optimizer)
                                                    .optDevices(new Device[] {model.device()}))) {
                        for (int i = 0; i < steps; i++) {
                            TokenBatcher.Batch batch = batches.get(i);
                            optimizer.learningRate(recipe.learningRate(i, batches.size()));
                            try (NDManager manager =
                                    model.djlModel().getNDManager().newSubManager()) {
                                try (GradientCollector collector = trainer.newGradientCollector()) {
                                    NDArray logits =
                                            trainer.forward(
                                                            new NDList(
                                                                    manager.create(
                                                                            batch.inputs(),
                                                                            shape(batch))))
                                                    .head();
                                    collector.backward(
                                            ShardTrainer.crossEntropy(
                                                    logits,
                                                    manager.create(batch.targets(), shape(batch))));
                                }
                                GlobalNormClipper.clip(arrays, recipe.gradClip());
                                trainer.step();
                            }
                        }
                    }
                    return null;
                });
    }

    private static ai.djl.ndarray.types.Shape shape(TokenBatcher.Batch batch) {
        return new ai.djl.ndarray.types.Shape(batch.rows(), batch.columns());
    }

    private static List<NDArray> arrays(LanguageModel model) {
        List<NDArray> arrays = new ArrayList<>();
        for (Pair<String, Parameter> p : model.namedParameters()) {
            arrays.add(p.getValue().getArray());
        }
        return arrays;
    }
}
