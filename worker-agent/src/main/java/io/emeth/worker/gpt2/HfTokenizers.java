package io.emeth.worker.gpt2;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.worker.training.TokenEncoder;
import io.emeth.worker.training.TokenizerLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * HF tokenizers for the GPT-2 path: a loader that reads a model directory's {@code tokenizer.json}
 * with DJL's HF tokenizers (native library inside the jar, offline), and a byte-level BPE {@code
 * tokenizer.json} without merges (GPT-2's pre-tokenizer and byte alphabet, one token per byte, id =
 * byte value, {@code <|endoftext|>} = 256) for small checkpoints in tests.
 *
 * <p>The tokens work ({@code io.emeth.worker.tokens.TextTokenizer}) builds the full tokenizer
 * support; this loader is the narrow part training and the model CLI need until the two are joined.
 */
public final class HfTokenizers {

    /** Ids of the byte-level tokenizer: 256 bytes and the end-of-text token. */
    public static final int BYTE_LEVEL_VOCAB = 257;

    /** Loads {@code dir/tokenizer.json} with DJL's HF tokenizers. */
    public static final TokenizerLoader LOADER = HfTokenizers::load;

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfTokenizers() {}

    /** Writes the byte-level {@code tokenizer.json} into {@code dir}. */
    public static void writeByteLevel(Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ObjectNode eot = root.putArray("added_tokens").addObject();
        eot.put("id", 256).put("content", "<|endoftext|>").put("single_word", false);
        eot.put("lstrip", false).put("rstrip", false).put("normalized", true).put("special", true);
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false));
        root.set("post_processor", byteLevel(true));
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "");
        model.put("fuse_unk", false).put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        int[] chars = byteToUnicode();
        for (int b = 0; b < 256; b++) {
            vocab.put(new String(Character.toChars(chars[b])), b);
        }
        vocab.put("<|endoftext|>", 256);
        model.putArray("merges");
        Files.createDirectories(dir);
        Files.write(dir.resolve(TokenizerLoader.FILE), JSON.writeValueAsBytes(root));
    }

    private static ObjectNode byteLevel(boolean prefixSpace) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "ByteLevel").put("add_prefix_space", prefixSpace);
        node.put("trim_offsets", true).put("use_regex", true);
        return node;
    }

    /** GPT-2's printable stand-in for each byte ({@code bytes_to_unicode}). */
    static int[] byteToUnicode() {
        List<Integer> printable = new ArrayList<>();
        for (int c = '!'; c <= '~'; c++) printable.add(c);
        for (int c = 0xA1; c <= 0xAC; c++) printable.add(c);
        for (int c = 0xAE; c <= 0xFF; c++) printable.add(c);
        int[] map = new int[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable.contains(b) ? b : 256 + next++;
        }
        return map;
    }

    /**
     * A {@link TokenEncoder} over {@code dir/tokenizer.json}.
     *
     * @throws IOException naming the file when it is missing or not a valid tokenizer
     */
    public static TokenEncoder load(Path dir) throws IOException {
        Path file = dir.resolve(TokenizerLoader.FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is missing");
        }
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer =
                    HuggingFaceTokenizer.newInstance(
                            file,
                            Map.of(
                                    "addSpecialTokens",
                                    "false",
                                    "truncation",
                                    "false",
                                    "padding",
                                    "false"));
        } catch (RuntimeException e) {
            throw new IOException(file + " is not a valid tokenizer: " + e.getMessage(), e);
        }
        return new TokenEncoder() {
            @Override
            public int[] encode(String text) {
                long[] ids = tokenizer.encode(text).getIds();
                int[] out = new int[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    out[i] = Math.toIntExact(ids[i]);
                }
                return out;
            }

            @Override
            public String decode(int[] ids) {
                long[] longs = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    longs[i] = ids[i];
                }
                return tokenizer.decode(longs);
            }
        };
    }
}
