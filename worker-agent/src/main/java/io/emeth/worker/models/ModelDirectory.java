package io.emeth.worker.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.tokens.InvalidTokenizerException;
import io.emeth.worker.tokens.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One pretrained checkpoint in the worker's {@code models_dir}, in Hugging Face's layout: {@code
 * config.json} (the GPT-2 shape), {@code model.safetensors} (the weights) and {@code
 * tokenizer.json}. Its name is the directory's name ({@code gpt2-medium}, {@code
 * japanese-gpt2-medium}), the name the master's models table and {@code TrainingAssigned.modelName}
 * use.
 *
 * <p>{@link #open} checks what can be checked cheaply at the worker's start, so that a copy gone
 * wrong stops the worker with a message naming the file instead of failing a job: the three files
 * are there, {@code config.json} is JSON with a {@code vocab_size}, the tokenizer loads and fits in
 * that vocabulary, and the header of {@code model.safetensors} lists every tensor of the GPT-2 that
 * {@code config.json} describes with its shape and a readable dtype, within the file (read in
 * milliseconds: the 1.4 GB of values are read when a job loads the model).
 *
 * @param name the directory's name
 * @param dir the directory
 * @param vocabSize {@code config.json}'s {@code vocab_size}
 */
public record ModelDirectory(String name, Path dir, int vocabSize) {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";

    /** The files a model directory must hold. */
    public static final List<String> FILES = List.of(CONFIG, WEIGHTS, TOKENIZER);

    private static final ObjectMapper JSON = new ObjectMapper();

    public Path config() {
        return dir.resolve(CONFIG);
    }

    public Path weights() {
        return dir.resolve(WEIGHTS);
    }

    public Path tokenizer() {
        return dir.resolve(TOKENIZER);
    }

    /** Loads the directory's tokenizer (the caller closes it). */
    public TextTokenizer loadTokenizer() {
        return TextTokenizer.load(tokenizer());
    }

    /**
     * Checks a model directory.
     *
     * @throws InvalidModelException naming the directory and the missing or bad file
     */
    public static ModelDirectory open(Path dir) {
        String name = dir.getFileName().toString();
        List<String> missing = new ArrayList<>();
        for (String file : FILES) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                missing.add(file);
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidModelException(
                    "model directory "
                            + dir
                            + " is incomplete: "
                            + String.join(", ", missing)
                            + (missing.size() == 1 ? " is" : " are")
                            + " missing (a model directory holds "
                            + String.join(", ", FILES)
                            + "; see README, 'Pretrained models')");
        }
        int vocabSize = vocabSize(dir.resolve(CONFIG));
        try {
            if (Files.size(dir.resolve(WEIGHTS)) <= 8) {
                throw new InvalidModelException(
                        dir.resolve(WEIGHTS) + " is empty or truncated: not a safetensors file");
            }
        } catch (IOException e) {
            throw new InvalidModelException(dir.resolve(WEIGHTS) + " cannot be read: " + e, e);
        }
        try (TextTokenizer tokenizer = TextTokenizer.load(dir.resolve(TOKENIZER))) {
            if (tokenizer.vocabSize() > vocabSize) {
                throw new InvalidModelException(
                        tokenizer.file()
                                + " has "
                                + tokenizer.vocabSize()
                                + " tokens but "
                                + dir.resolve(CONFIG)
                                + " says vocab_size "
                                + vocabSize
                                + ": the tokenizer belongs to another model");
            }
        } catch (InvalidTokenizerException e) {
            throw new InvalidModelException("model " + name + ": " + e.getMessage(), e);
        }
        try {
            Gpt2Model.checkHeader(dir);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidModelException("model " + name + ": " + e.getMessage(), e);
        }
        return new ModelDirectory(name, dir, vocabSize);
    }

    private static int vocabSize(Path config) {
        JsonNode root;
        try {
            root = JSON.readTree(config.toFile());
        } catch (IOException e) {
            throw new InvalidModelException(
                    config + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        JsonNode v = root == null ? null : root.get("vocab_size");
        if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
            throw new InvalidModelException(
                    config + " has no vocab_size (a positive integer): not a GPT-2 config.json");
        }
        return v.asInt();
    }
}
