package io.emeth.worker.gpt2;

import io.emeth.worker.tokens.ByteLevelBpe;
import io.emeth.worker.tokens.InvalidTokenizerException;
import io.emeth.worker.tokens.TextTokenizer;
import io.emeth.worker.training.TokenEncoder;
import io.emeth.worker.training.TokenizerLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * HF tokenizers for the GPT-2 path: the {@link TokenizerLoader} that training and the model CLI
 * use, which loads a model directory's {@code tokenizer.json} as a {@link TextTokenizer} (DJL's HF
 * tokenizers, native library inside the jar, offline, no truncation), and a byte-level BPE {@code
 * tokenizer.json} without merges (GPT-2's pre-tokenizer and byte alphabet, one token per byte, id =
 * byte value, {@code <|endoftext|>} = 256) for small checkpoints in tests.
 */
public final class HfTokenizers {

    /** Ids of the byte-level tokenizer: 256 bytes and the end-of-text token. */
    public static final int BYTE_LEVEL_VOCAB = 257;

    /**
     * Loads {@code dir/tokenizer.json} with DJL's HF tokenizers, once per file version: every job
     * on a model shares its tokenizer (a native object the jobs never close), and a file replaced
     * on disk is loaded anew.
     */
    public static final TokenizerLoader LOADER = HfTokenizers::shared;

    private static final Map<Path, Loaded> SHARED = new HashMap<>();

    /** A tokenizer and the version of the file it was loaded from. */
    private record Loaded(FileTime modified, long size, TextTokenizer tokenizer) {}

    private HfTokenizers() {}

    /** Writes the byte-level {@code tokenizer.json} into {@code dir}. */
    public static void writeByteLevel(Path dir) throws IOException {
        ByteLevelBpe.bytesOnly("<|endoftext|>").write(dir.resolve(TokenizerLoader.FILE));
    }

    /** {@link #load}, or the tokenizer already loaded from the same, unchanged file. */
    static TokenEncoder shared(Path dir) throws IOException {
        Path file = dir.resolve(TokenizerLoader.FILE).toAbsolutePath().normalize();
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return text(dir); // names the missing file
        }
        synchronized (SHARED) {
            Loaded loaded = SHARED.get(file);
            if (loaded == null || !loaded.modified().equals(modified) || loaded.size() != size) {
                // the replaced one is not closed: a running job may still encode with it
                loaded = new Loaded(modified, size, text(dir));
                SHARED.put(file, loaded);
            }
            return loaded.tokenizer();
        }
    }

    /**
     * A {@link TokenEncoder} over {@code dir/tokenizer.json}, loaded now.
     *
     * @throws IOException naming the file when it is missing or not a valid tokenizer
     */
    public static TokenEncoder load(Path dir) throws IOException {
        return text(dir);
    }

    private static TextTokenizer text(Path dir) throws IOException {
        try {
            return TextTokenizer.load(dir.resolve(TokenizerLoader.FILE));
        } catch (InvalidTokenizerException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
