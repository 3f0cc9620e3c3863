package io.emeth.worker.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.emeth.worker.averaging.ModelAveraging;
import io.emeth.worker.averaging.ShardUpdate;
import io.emeth.worker.data.DataSplit;
import io.emeth.worker.data.SplitDataset;
import io.emeth.worker.training.EpochResult;
import io.emeth.worker.training.GptConfig;
import io.emeth.worker.training.GptModel;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.training.TorchEngine;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import io.emeth.worker.weights.WeightsCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The worker's training benchmark (not a test): prints Markdown rows for README's performance
 * table.
 *
 * <p>Measures on this machine's CPU: peak float32 matmul FLOP/s; training tokens/s of the ~1M and
 * ~10M presets and the fraction of peak they reach ({@code 6 · parameters · tokens/s ÷ peak});
 * seconds and bytes of one averaging round (decode + check + average + load + encode + sha256) for
 * 2 and 4 shards; and the validation loss of plain averaging vs DiLoCo after the same tokens.
 *
 * <pre>
 * mvn -o -q -pl worker-agent compile exec:exec@bench [-Dbench.args="--corpus=text.txt compare"]
 * </pre>
 *
 * The corpus defaults to the license texts in /usr/share/common-licenses (English).
 */
public final class TrainingBench {

    private static final Device CPU = Device.cpu();

    private TrainingBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional, also as one space-separated string: {@code --corpus=<file>} and the
     *     sections to run, any of {@code training}, {@code averaging}, {@code compare} (default:
     *     these three) and {@code gpt2} (see {@link Gpt2Bench}, with its {@code --} options)
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        long started = System.nanoTime();
        TorchEngine.get();
        String corpusFile = null;
        List<String> sections = new ArrayList<>();
        List<String> gpt2Options = new ArrayList<>();
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            if (arg.startsWith("--corpus=")) {
                corpusFile = arg.substring("--corpus=".length());
            } else if (arg.startsWith("--")) {
                gpt2Options.add(arg);
            } else if (!arg.isEmpty()) {
                sections.add(arg);
            }
        }
        if (sections.isEmpty()) {
            sections = List.of("training", "averaging", "compare");
        }
        byte[] corpus = BenchCorpus.load(corpusFile);
        System.out.printf(
                Locale.ROOT,
                "machine: %d cores (%s), %s %s, corpus %d bytes (%s)%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                corpus.length,
                BenchCorpus.describe(corpusFile));
        if (sections.contains("gpt2")) {
            double peak = peakMatmulFlops();
            System.out.printf(
                    Locale.ROOT,
                    "| peak fp32 matmul (2048², best of 5) | %.1f GFLOP/s |%n",
                    peak / 1e9);
            Gpt2Bench.run(gpt2Options, peak);
        }
        if (sections.contains("training")) {
            double peak = peakMatmulFlops();
            System.out.printf(
                    Locale.ROOT,
                    "| peak fp32 matmul (2048², best of 5) | %.1f GFLOP/s |%n",
                    peak / 1e9);
            training("~1M", GptConfig.small1M(), corpus, 12, peak);
            training("~10M", GptConfig.medium10M(), corpus, 4, peak);
        }
        if (sections.contains("averaging")) {
            for (GptConfig config : List.of(GptConfig.small1M(), GptConfig.medium10M())) {
                for (int shards : new int[] {2, 4}) {
                    averagingRound(config, shards);
                }
            }
        }
        if (sections.contains("compare")) {
            compareOuterOptimizers(corpus);
        }
        System.out.printf(
                Locale.ROOT, "bench finished in %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Best rate of a 2048 × 2048 float32 matmul, in FLOP/s. */
    static double peakMatmulFlops() {
        int n = 2048;
        try (NDManager manager = NDManager.newBaseManager(CPU, TorchEngine.NAME)) {
            NDArray a = manager.randomNormal(new Shape(n, n));
            NDArray b = manager.randomNormal(new Shape(n, n));
            a.matMul(b).close(); // warm-up
            double best = 0;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0);
                }
                best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - start) / 1e9));
            }
            return best;
        }
    }

    private static void training(
            String label, GptConfig config, byte[] corpus, int steps, double peak) {
        try (GptModel model = GptModel.create(config, CPU);
                ShardTrainer trainer = new ShardTrainer(model)) {
            trainer.train(corpus, 0, 2); // warm-up: allocator, JIT, oneDNN kernels
            EpochResult result = trainer.train(corpus, 1, steps);
            double tokensPerSecond = result.tokensPerSecond();
            double fraction = 6.0 * model.parameterCount() * tokensPerSecond / peak;
            System.out.printf(
                    Locale.ROOT,
                    "| training %s (%,d params, ctx %d, batch %d, %d steps) | %.0f tokens/s,"
                            + " %.1f %% of peak (6·N·tokens/s), loss %.2f |%n",
                    label,
                    model.parameterCount(),
                    config.contextLength(),
                    config.batchSize(),
                    result.batches(),
                    tokensPerSecond,
                    100 * fraction,
                    result.meanLoss());
        }
    }

    /** One rank-0 round over shard weights that arrive as bytes; median of three. */
    private static void averagingRound(GptConfig config, int shardCount) {
        try (GptModel global = GptModel.create(config, CPU)) {
            ModelWeights layout = global.weights();
            List<byte[]> encoded = new ArrayList<>();
            for (int i = 0; i < shardCount; i++) {
                encoded.add(WeightsCodec.encode(perturbed(layout, i)));
            }
            double[] seconds = new double[3];
            long bytes = 0;
            for (int run = 0; run < seconds.length; run++) {
                long start = System.nanoTime();
                List<ShardUpdate> shards = new ArrayList<>();
                bytes = 0;
                for (int i = 0; i < shardCount; i++) {
                    byte[] shardBytes = encoded.get(i);
                    WeightsCodec.sha256(shardBytes); // the claim check of ShardTrained
                    shards.add(
                            new ShardUpdate(
                                    "rank " + i,
                                    WeightsCodec.decode(shardBytes, layout),
                                    1000L + i));
                    bytes += shardBytes.length;
                }
                byte[] out =
                        WeightsCodec.encode(ModelAveraging.plain().aggregateInto(global, shards));
                WeightsCodec.sha256(out);
                bytes += out.length;
                seconds[run] = (System.nanoTime() - start) / 1e9;
            }
            Arrays.sort(seconds);
            System.out.printf(
                    Locale.ROOT,
                    "| averaging round, %d shards of %,d params | %.2f s, %.1f MB (%d in + 1 out) |%n",
                    shardCount,
                    layout.parameterCount(),
                    seconds[1],
                    bytes / 1e6,
                    shardCount);
        }
    }

    private static ModelWeights perturbed(ModelWeights weights, int seed) {
        Random random = new Random(seed);
        List<NamedTensor> tensors = new ArrayList<>();
        for (NamedTensor t : weights.tensors()) {
            float[] data = t.data().clone();
            for (int i = 0; i < data.length; i++) {
                data[i] += (float) random.nextGaussian() * 1e-3f;
            }
            tensors.add(new NamedTensor(t.name(), t.shape(), data));
        }
        return new ModelWeights(tensors);
    }

    /**
     * Two workers train the same rounds on their shards; the global model is updated by plain
     * averaging in one run and by DiLoCo (paper settings, lr 0.7, momentum 0.9) in the other.
     */
    private static void compareOuterOptimizers(byte[] corpus) {
        GptConfig config = new GptConfig(256, 64, 64, 4, 2, 4, 0f, 3e-3f, 0.01f, 1f, 16, 42);
        SplitDataset split = DataSplit.defaults().split(corpus, "en", 2);
        int rounds = 6;
        int stepsPerRound = 40;
        for (String name : List.of("diloco", "plain")) {
            ModelAveraging averaging =
                    name.equals("plain") ? ModelAveraging.plain() : ModelAveraging.diloco(0.7, 0.9);
            long start = System.nanoTime();
            RoundResult result = rounds(config, split, averaging, rounds, stepsPerRound);
            System.out.printf(
                    Locale.ROOT,
                    "| %s averaging, 2 workers, %d rounds × %d steps (%,d tokens, %,d params) |"
                            + " validation loss %.3f (round 1: %.3f), %.0f s |%n",
                    name,
                    rounds,
                    stepsPerRound,
                    result.tokens(),
                    config.parameterCount(),
                    result.finalLoss(),
                    result.firstLoss(),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    private record RoundResult(double firstLoss, double finalLoss, long tokens) {}

    private static RoundResult rounds(
            GptConfig config, SplitDataset split, ModelAveraging averaging, int rounds, int steps) {
        List<GptModel> models = new ArrayList<>();
        List<ShardTrainer> trainers = new ArrayList<>();
        try (GptModel global = GptModel.create(config, CPU);
                ShardTrainer evaluator = new ShardTrainer(global)) {
            for (int rank = 0; rank < 2; rank++) {
                models.add(GptModel.create(config, CPU));
                trainers.add(new ShardTrainer(models.get(rank)));
            }
            double first = Double.NaN;
            long tokens = 0;
            for (int round = 1; round <= rounds; round++) {
                ModelWeights start = global.weights();
                List<ShardUpdate> shards = new ArrayList<>();
                for (int rank = 0; rank < 2; rank++) {
                    models.get(rank).load(start);
                    EpochResult result = trainers.get(rank).train(split.shard(rank), round, steps);
                    tokens += result.tokens();
                    shards.add(
                            new ShardUpdate(
                                    "rank " + rank, models.get(rank).weights(), result.tokens()));
                }
                averaging.aggregateInto(global, shards);
                if (round == 1) {
                    first = evaluator.evaluate(split.validation());
                }
            }
            return new RoundResult(first, evaluator.evaluate(split.validation()), tokens);
        } finally {
            trainers.forEach(ShardTrainer::close);
            models.forEach(GptModel::close);
        }
    }
}
