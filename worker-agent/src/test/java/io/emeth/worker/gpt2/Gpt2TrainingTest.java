package io.emeth.worker.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.emeth.worker.training.GptConfig;
import io.emeth.worker.training.GptModel;
import io.emeth.worker.training.LanguageModel;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.training.TorchEngine;
import io.emeth.worker.training.TrainingRecipe;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2TrainingTest {

    private static final Gpt2Config SHAPE = Gpt2Config.of(2, 32, 2, 64, 64);
    private static final TrainingRecipe RECIPE =
            new TrainingRecipe(16, 4, 3e-3f, 0.1f, true, 0.01f, 1.0f, 0.1f, 5L);

    @TempDir Path dir;

    @Test
    void shouldKeepTheNumberOfLiveNdArraysFlatOverTrainingSteps() throws Exception {
        Gpt2Model.writeRandom(dir, SHAPE, 1);
        try (Gpt2Model model = Gpt2Model.load(dir, RECIPE.dropout(), Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model, RECIPE, 3, 0)) {
            assertFlat(model, trainer);
        }
    }

    @Test
    void shouldKeepTheByteFixturesNdArraysFlatOverTrainingSteps() {
        try (GptModel model = GptModel.create(GptConfig.tiny(), Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model)) {
            assertFlat(model, trainer);
        }
    }

    @Test
    void shouldLowerTheLossOfARepeatedText() throws Exception {
        Gpt2Model.writeRandom(dir, SHAPE, 2);
        int[] tokens = tokens(16 * 4 * 4 + 1, 3, 8); // a small alphabet: learnable in a few steps
        try (Gpt2Model model = Gpt2Model.load(dir, RECIPE.dropout(), Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model, RECIPE, 3, 0)) {
            double before = trainer.evaluate(tokens);
            for (int epoch = 1; epoch <= 3; epoch++) {
                trainer.train(tokens, epoch, Integer.MAX_VALUE);
            }
            assertThat(trainer.evaluate(tokens)).isLessThan(before - 0.3);
        }
    }

    @Test
    void shouldKeepGradientsFiniteWhenTheGarbageCollectorRunsBetweenForwardAndBackward()
            throws Exception {
        // Given a GPT-2 whose forward pass multiplies by scalars (attention scale, GELU), which
        // autograd keeps for the backward pass
        Gpt2Model.writeRandom(dir, SHAPE, 3);
        try (Gpt2Model model = Gpt2Model.load(dir, 0f, Device.cpu());
                Trainer trainer =
                        model.djlModel().newTrainer(new DefaultTrainingConfig(Loss.l2Loss()))) {
            List<String> nonFinite =
                    TorchEngine.locked(
                            () -> {
                                try (NDManager step =
                                                model.djlModel().getNDManager().newSubManager();
                                        GradientCollector collector =
                                                trainer.newGradientCollector()) {
                                    long[] ids = new long[2 * 16];
                                    for (int i = 0; i < ids.length; i++) {
                                        ids[i] = (i * 7) % 64;
                                    }
                                    NDArray logits =
                                            trainer.forward(
                                                            new NDList(
                                                                    step.create(
                                                                            ids, new Shape(2, 16))))
                                                    .head();
                                    NDArray loss = logits.square().mean();

                                    // When the garbage collector runs after the forward pass and
                                    // the freed direct memory is reused (filled with NaN)
                                    collectAndScribble();
                                    collector.backward(loss);
                                }
                                // Then every gradient is finite
                                List<String> bad = new ArrayList<>();
                                for (Pair<String, Parameter> p : model.namedParameters()) {
                                    for (float g :
                                            p.getValue().getArray().getGradient().toFloatArray()) {
                                        if (!Float.isFinite(g)) {
                                            bad.add(p.getKey());
                                            break;
                                        }
                                    }
                                }
                                return bad;
                            });
            assertThat(nonFinite).as("parameters with non-finite gradients").isEmpty();
        }
    }

    /**
     * Runs collections until a dropped direct buffer has been found, then allocates many small
     * direct buffers filled with NaN, which take the freed memory of any other dropped buffer.
     */
    private static void collectAndScribble() {
        ReferenceQueue<ByteBuffer> queue = new ReferenceQueue<>();
        PhantomReference<ByteBuffer> sentinel =
                new PhantomReference<>(ByteBuffer.allocateDirect(4), queue);
        Awaitility.await("a garbage collection")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            System.gc();
                            return queue.poll() != null;
                        });
        List<ByteBuffer> scribbles = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b =
                    ByteBuffer.allocateDirect(4 + (i % 4) * 4).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 4) {
                b.putFloat(Float.NaN);
            }
            scribbles.add(b);
        }
        assertThat(sentinel.refersTo(null)).isTrue();
    }

    private static void assertFlat(LanguageModel model, ShardTrainer trainer) {
        int[] tokens = tokens(16 * 4 * 12 + 1, 4, 64);
        trainer.train(tokens, 1, 2); // optimiser state and caches exist after the first steps
        trainer.evaluate(tokens, 1);
        int settled = live(model);
        trainer.train(tokens, 2, 10);
        trainer.evaluate(tokens, 3);
        assertThat(live(model)).as("live NDArrays after 10 more steps").isEqualTo(settled);
    }

    private static int live(LanguageModel model) {
        return model.djlModel().getNDManager().getManagedArrays().size();
    }

    private static int[] tokens(int count, long seed, int alphabet) {
        Random random = new Random(seed);
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] =
                    i % 7 == 0
                            ? random.nextInt(alphabet)
                            : (tokens[Math.max(0, i - 1)] + 1) % alphabet;
        }
        return tokens;
    }
}
