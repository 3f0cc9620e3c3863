package io.emeth.worker.gpt2;

import io.emeth.worker.tokens.ByteLevelBpe;
import io.emeth.worker.tokens.InvalidTokenizerException;
import io.emeth.worker.tokens.TextTokenizer;
import io.emeth.worker.training.TokenEncoder;
import io.emeth.worker.training.TokenizerLoader;
import java.io.IOException;
import java.nio.file.Path;

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

    /** Loads {@code dir/tokenizer.json} with DJL's HF tokenizers. */
    public static final TokenizerLoader LOADER = HfTokenizers::load;

    private HfTokenizers() {}

    /** Writes the byte-level {@code tokenizer.json} into {@code dir}. */
    public static void writeByteLevel(Path dir) throws IOException {
        ByteLevelBpe.bytesOnly("<|endoftext|>").write(dir.resolve(TokenizerLoader.FILE));
    }

    /**
     * A {@link TokenEncoder} over {@code dir/tokenizer.json}.
     *
     * @throws IOException naming the file when it is missing or not a valid tokenizer
     */
    public static TokenEncoder load(Path dir) throws IOException {
        try {
            return TextTokenizer.load(dir.resolve(TokenizerLoader.FILE));
        } catch (InvalidTokenizerException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
