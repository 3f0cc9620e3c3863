package io.emeth.worker.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.worker.gpt2.Gpt2Config;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.training.EpochResult;
import io.emeth.worker.training.ShardTrainer;
import io.emeth.worker.training.TrainingRecipe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * GPT-2 fine-tuning throughput, DJL against the PyTorch reference ({@code
 * src/test/resources/gpt2/gpt2_reference.py}, Debian's python3-torch with OpenBLAS), on the same
 * shape, batch, sequence length and thread count, one engine after the other in child processes, so
 * each one's peak RSS is its own. Random weights; AdamW, clipping and dropout as the worker trains.
 * Prints Markdown rows with tokens/s, the DJL/PyTorch ratio, peak RSS and MFU ({@code (6·N +
 * 12·L·C·T) · tokens/s ÷ peak}, N without embeddings, peak the measured fp32 matmul rate).
 *
 * <pre>
 * mvn -o -q -pl worker-agent compile exec:exec@bench -Dbench.args="gpt2 [--medium-layers=24]
 *     [--batch=4] [--seq=128] [--steps=2] [--rounds=2]"
 * </pre>
 *
 * GPT-2 medium's full 24 layers need about 6 GB per engine and minutes per step on two cores;
 * {@code --medium-layers} (default 4) measures fewer layers of medium's width (1024, 16 heads).
 */
final class Gpt2Bench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VOCAB = 50_257;
    private static final int THREADS = 2;

    private Gpt2Bench() {}

    /** The orchestrating run (section {@code gpt2} of {@link TrainingBench}). */
    static void run(List<String> args, double peakFlops) throws IOException, InterruptedException {
        int mediumLayers = option(args, "--medium-layers", 4);
        int batch = option(args, "--batch", 4);
        int seq = option(args, "--seq", TrainingRecipe.DEFAULT_CONTEXT);
        int steps = option(args, "--steps", 2);
        Gpt2Config small = Gpt2Config.small(VOCAB);
        Gpt2Config medium = Gpt2Config.of(mediumLayers, 1024, 16, VOCAB, 1024);
        int rounds = option(args, "--rounds", 2);
        for (Gpt2Config shape : List.of(small, medium)) {
            String name =
                    shape.width() == 768
                            ? "GPT-2 small (12 × 768)"
                            : "GPT-2 medium width ("
                                    + shape.layers()
                                    + (shape.layers() == 24 ? "" : " of 24")
                                    + " layers × 1024)";
            String loadBefore = loadAverage();
            Result djl = new Result();
            Result torch = new Result();
            // alternate the engines, so a shared machine's load falls on both alike
            for (int round = 0; round < rounds; round++) {
                djl.add(child(djlCommand(shape, batch, seq, steps)));
                torch.add(child(torchCommand(shape, batch, seq, steps)));
            }
            double flopsPerToken =
                    6.0 * shape.nonEmbeddingParameters()
                            + 12.0 * shape.layers() * shape.width() * seq;
            System.out.printf(
                    Locale.ROOT,
                    "| fine-tuning %s, batch %d × %d tokens, %d threads, best step of %d × %d"
                            + " | DJL %.1f tokens/s (MFU %.0f %%), peak RSS %.2f GB;"
                            + " PyTorch %s %.1f tokens/s (MFU %.0f %%), peak RSS %.2f GB;"
                            + " DJL/PyTorch %.2f× | load average %s → %s |%n",
                    name,
                    batch,
                    seq,
                    THREADS,
                    rounds,
                    steps,
                    djl.best,
                    100 * flopsPerToken * djl.best / peakFlops,
                    djl.peakRss / 1e9,
                    torch.version,
                    torch.best,
                    100 * flopsPerToken * torch.best / peakFlops,
                    torch.peakRss / 1e9,
                    djl.best / torch.best,
                    loadBefore,
                    loadAverage());
        }
    }

    /** The best step rate and the largest peak RSS of an engine's runs. */
    private static final class Result {
        double best;
        double peakRss;
        String version = "";

        void add(JsonNode run) {
            best = Math.max(best, run.get("tokensPerSecond").doubleValue());
            peakRss = Math.max(peakRss, run.get("peakRssBytes").doubleValue());
            if (run.has("torch")) {
                version = run.get("torch").asText();
            }
        }
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    /** The child run of the DJL side: {@code --child layers width heads vocab batch seq steps}. */
    public static void main(String[] args) throws IOException {
        int[] v = new int[7];
        for (int i = 0; i < 7; i++) {
            v[i] = Integer.parseInt(args[i + 1]);
        }
        Gpt2Config shape = Gpt2Config.of(v[0], v[1], v[2], v[3], 1024);
        int batch = v[4];
        int seq = v[5];
        int steps = v[6];
        TrainingRecipe recipe = new TrainingRecipe(seq, batch, 5e-5f, 0f, true, 0.01f, 1f, 0.1f, 1);
        Random random = new Random(1);
        int[] tokens = new int[batch * seq * (steps + 1) + 1];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(shape.vocabSize());
        }
        try (Gpt2Model model =
                        Gpt2Model.create(
                                new Gpt2Model.Checkpoint(shape, Gpt2Model.randomWeights(shape, 1)),
                                recipe.dropout(),
                                Device.cpu());
                ShardTrainer trainer = new ShardTrainer(model, recipe, steps + 2, 0)) {
            trainer.train(tokens, 1, 1); // warm-up: allocator, kernels
            double best = 0;
            double seconds = 0;
            for (int step = 0; step < steps; step++) {
                EpochResult result = trainer.train(tokens, 2 + step, 1);
                best = Math.max(best, result.tokensPerSecond());
                seconds += result.duration().toNanos() / 1e9;
            }
            System.out.println(
                    JSON.createObjectNode()
                            .put("tokensPerSecond", best)
                            .put("meanTokensPerSecond", (double) steps * batch * seq / seconds)
                            .put("peakRssBytes", peakRss()));
        }
    }

    private static List<String> djlCommand(Gpt2Config s, int batch, int seq, int steps) {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR", ""),
                "-cp",
                System.getProperty("java.class.path"),
                Gpt2Bench.class.getName(),
                "--child",
                "" + s.layers(),
                "" + s.width(),
                "" + s.heads(),
                "" + s.vocabSize(),
                "" + batch,
                "" + seq,
                "" + steps);
    }

    private static List<String> torchCommand(Gpt2Config s, int batch, int seq, int steps) {
        return List.of(
                "/usr/bin/python3",
                Path.of("src/test/resources/gpt2/gpt2_reference.py").toAbsolutePath().toString(),
                "bench",
                "--layers=" + s.layers(),
                "--width=" + s.width(),
                "--heads=" + s.heads(),
                "--vocab=" + s.vocabSize(),
                "--batch=" + batch,
                "--seq=" + seq,
                "--steps=" + steps,
                "--threads=" + THREADS);
    }

    private static JsonNode child(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("OMP_NUM_THREADS", "" + THREADS);
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("benchmark child failed: " + String.join(" ", command));
        }
        String[] lines = out.trim().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    /** This process's peak resident set (VmHWM), in bytes. */
    static long peakRss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static int option(List<String> args, String name, int fallback) {
        for (String arg : args) {
            if (arg.startsWith(name + "=")) {
                return Integer.parseInt(arg.substring(name.length() + 1));
            }
        }
        return fallback;
    }
}
