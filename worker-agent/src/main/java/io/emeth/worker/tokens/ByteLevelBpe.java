package io.emeth.worker.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A byte-level BPE tokenizer (GPT-2's scheme) as data: the vocabulary (token → id), the merges in
 * rank order and the end-of-text token, written as a Hugging Face {@code tokenizer.json} that
 * {@link TextTokenizer} (and {@code transformers}' fast tokenizers) load. Every byte has a token of
 * its own, so any text round-trips.
 *
 * @param vocab tokens in byte-level form (see {@link #byteToUnicode()}) with their ids
 * @param merges "left right" pairs, highest priority first
 * @param eos the end-of-text token, an added special token
 * @param eosId its id
 */
public record ByteLevelBpe(Map<String, Integer> vocab, List<String> merges, String eos, int eosId) {

    /** GPT-2's pre-tokenizer: contractions, letters, digits, other runs, whitespace. */
    static final Pattern GPT2_SPLIT =
            Pattern.compile(
                    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                    Pattern.UNICODE_CHARACTER_CLASS);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] BYTE_TO_UNICODE = buildByteToUnicode();

    public ByteLevelBpe {
        vocab = Collections.unmodifiableMap(new LinkedHashMap<>(vocab));
        merges = List.copyOf(merges);
        Objects.requireNonNull(eos, "eos");
    }

    /**
     * The byte-level tokenizer without merges: one token per byte (id = byte value) and {@code eos}
     * = 256, for small checkpoints whose vocabulary is the bytes.
     */
    public static ByteLevelBpe bytesOnly(String eos) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(BYTE_TO_UNICODE[b]), b);
        }
        return new ByteLevelBpe(vocab, List.of(), eos, 256);
    }

    /** Vocabulary size including the end-of-text token. */
    public int size() {
        int max = eosId;
        for (int id : vocab.values()) {
            max = Math.max(max, id);
        }
        return max + 1;
    }

    /**
     * GPT-2's printable stand-in for each byte (its {@code bytes_to_unicode}): printable Latin-1
     * bytes stand for themselves, the others are shifted to U+0100 and up, so that a BPE token is a
     * plain string with no spaces or control characters.
     */
    public static char[] byteToUnicode() {
        return BYTE_TO_UNICODE.clone();
    }

    /** {@code text}'s UTF-8 bytes in byte-level form. */
    static String toByteLevel(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            out.append(BYTE_TO_UNICODE[b & 0xff]);
        }
        return out.toString();
    }

    private static char[] buildByteToUnicode() {
        char[] table = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) {
            table[b] = printable[b] ? (char) b : (char) (256 + n++);
        }
        return table;
    }

    /** The {@code tokenizer.json} document, laid out as Hugging Face's GPT-2 file is. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        added.addObject()
                .put("id", eosId)
                .put("content", eos)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", true)
                .put("special", true);
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false, true));
        root.set("post_processor", byteLevel(true, false));
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        if (!vocab.containsKey(eos)) { // in the vocabulary too, as in Hugging Face's gpt2 file
            v.put(eos, eosId);
        }
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        return root;
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        return JSON.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets)
                .put("use_regex", true);
    }

    /** Writes {@code tokenizer.json} atomically (a reader never sees half a file). */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        // not createTempFile: that is owner-only, and a model directory is read by other users
        Path tmp = parent.resolve("." + file.getFileName() + ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), toJson());
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
