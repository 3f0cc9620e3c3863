package io.emeth.deploy.model;

import io.emeth.deploy.OperatorException;
import io.emeth.worker.gpt2.HfTokenizers;
import io.emeth.worker.gpt2.ModelTool;
import io.emeth.worker.training.TrainingRecipe;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code emeth model}: use a delivered GPT-2 (a HF model directory or a job's result zip) — {@code
 * sample} continues a prompt, {@code eval} prints the loss on a text file.
 */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Use a delivered GPT-2: a model directory or a job's result zip.",
        subcommands = {ModelCommand.Sample.class, ModelCommand.Eval.class})
public final class ModelCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The model option shared by both commands. */
    static final class ModelOption {
        @Option(
                names = {"-m", "--model"},
                required = true,
                paramLabel = "<dir|zip>",
                description =
                        "A model directory (config.json, model.safetensors, tokenizer.json) or a"
                                + " job's result zip.")
        Path model;

        ModelTool open(Path scratch) {
            try {
                return ModelTool.open(model, scratch, HfTokenizers.LOADER);
            } catch (IOException | IllegalArgumentException e) {
                throw new OperatorException(
                        "cannot open model " + model + ": " + e.getMessage(), e);
            }
        }
    }

    @Command(
            name = "sample",
            mixinStandardHelpOptions = true,
            description = "Print the model's continuation of a prompt.")
    static final class Sample implements Callable<Integer> {
        @picocli.CommandLine.Mixin ModelOption model = new ModelOption();

        @Option(names = "--prompt", required = true, description = "The text to continue.")
        String prompt;

        @Option(
                names = "--tokens",
                defaultValue = "40",
                description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
        int tokens;

        @Option(
                names = "--temperature",
                defaultValue = "0.8",
                description = "Sampling temperature; 0 always takes the likeliest token.")
        double temperature;

        @Option(
                names = "--top-k",
                defaultValue = "40",
                description = "Sample among the k likeliest.")
        int topK;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the sampling.")
        long seed;

        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (tokens < 1 || tokens > 4096) {
                throw new OperatorException("--tokens must be in [1, 4096], was " + tokens);
            }
            Path scratch = Files.createTempDirectory("emeth-model");
            try (ModelTool tool = model.open(scratch)) {
                PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
                out.println(prompt + tool.sample(prompt, tokens, temperature, topK, seed));
                return 0;
            } finally {
                deleteTree(scratch);
            }
        }
    }

    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            description = "Print the model's mean next-token loss (nats) and perplexity on a text.")
    static final class Eval implements Callable<Integer> {
        @picocli.CommandLine.Mixin ModelOption model = new ModelOption();

        @Option(
                names = "--text",
                required = true,
                paramLabel = "<file>",
                description = "A UTF-8 text file.")
        Path text;

        @Option(
                names = "--context",
                defaultValue = "" + TrainingRecipe.DEFAULT_CONTEXT,
                description = "Tokens per evaluated window (default: ${DEFAULT-VALUE}).")
        int context;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(text)) {
                throw new OperatorException("--text " + text + " is not a file");
            }
            String content = Files.readString(text, StandardCharsets.UTF_8);
            Path scratch = Files.createTempDirectory("emeth-model");
            try (ModelTool tool = model.open(scratch)) {
                double loss;
                try {
                    loss = tool.loss(content, context);
                } catch (IllegalArgumentException e) {
                    throw new OperatorException(text + ": " + e.getMessage(), e);
                }
                System.out.printf(
                        java.util.Locale.ROOT,
                        "loss %.4f nats/token, perplexity %.2f%n",
                        loss,
                        Math.exp(loss));
                return 0;
            } finally {
                deleteTree(scratch);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
