package io.emeth.worker.tokens;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.worker.training.TokenEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The text ↔ token-id mapping of a model directory, loaded from its Hugging Face {@code
 * tokenizer.json} with the Rust {@code tokenizers} library that {@code
 * ai.djl.huggingface:tokenizers} ships (its native library is inside the jar, so loading works
 * offline). It encodes exactly what the file says (GPT-2's byte-level BPE, a converted
 * sentencepiece unigram, …) without adding special tokens, truncating or padding: the trainer cuts
 * the ids into chunks itself.
 *
 * <p>Not thread-safe to close while another thread encodes; encoding itself may be shared.
 */
public final class TextTokenizer implements TokenEncoder, AutoCloseable {
    /** Names of the end-of-text token, tried in this order (GPT-2's, then sentencepiece's). */
    static final List<String> EOS_NAMES = List.of("<|endoftext|>", "</s>", "<eos>");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final int vocabSize;
    private final int eosId;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer, int vocabSize, int eosId) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.eosId = eosId;
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @throws InvalidTokenizerException naming the file when it is missing, not JSON, has no model
     *     vocabulary or no end-of-text token, or the tokenizers library refuses it
     */
    public static TextTokenizer load(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new InvalidTokenizerException(
                    file
                            + " is missing: a model directory needs its"
                            + " Hugging Face tokenizer.json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidTokenizerException(
                    file + " is not a tokenizer.json: not JSON (" + firstLine(e) + ")", e);
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new InvalidTokenizerException(
                    file + " is not a tokenizer.json: it has no \"model\" object");
        }
        Vocabulary vocabulary = Vocabulary.of(file, root);
        HuggingFaceTokenizer hf;
        try {
            hf =
                    HuggingFaceTokenizer.builder()
                            .optTokenizerPath(file)
                            .optAddSpecialTokens(false)
                            .optTruncation(false)
                            .optPadding(false)
                            .build();
        } catch (IOException | RuntimeException e) {
            throw new InvalidTokenizerException(
                    file + " could not be loaded by the tokenizers library: " + firstLine(e), e);
        }
        return new TextTokenizer(file, hf, vocabulary.size(), vocabulary.eosId());
    }

    /** The token ids of {@code text}, with no special tokens added. */
    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** The text of {@code ids}, special tokens included as their text. */
    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException(
                        "token id "
                                + ids[i]
                                + " is outside the vocabulary of "
                                + file
                                + " (size "
                                + vocabSize
                                + ")");
            }
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    /** Ids run from 0 to {@code vocabSize() - 1}: the model's embedding needs that many rows. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The end-of-text token's id ({@code <|endoftext|>} for GPT-2, {@code </s>} for rinna's). */
    public int eosId() {
        return eosId;
    }

    /** The file it was loaded from. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "TextTokenizer[file=" + file + ", vocabSize=" + vocabSize + ", eosId=" + eosId + "]";
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** The ids a tokenizer.json defines: its model's vocabulary and its added tokens. */
    record Vocabulary(int size, int eosId) {
        static Vocabulary of(Path file, JsonNode root) {
            JsonNode vocab = root.path("model").path("vocab");
            int maxId = -1;
            Map<String, Integer> named = new HashMap<>();
            if (vocab.isObject()) { // BPE, WordPiece, WordLevel: token -> id
                for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                        throw new InvalidTokenizerException(
                                file + ": model.vocab[\"" + e.getKey() + "\"] is not a token id");
                    }
                    maxId = Math.max(maxId, e.getValue().asInt());
                    named.put(e.getKey(), e.getValue().asInt());
                }
            } else if (vocab.isArray()) { // Unigram (converted sentencepiece): [piece, score] by id
                for (int id = 0; id < vocab.size(); id++) {
                    named.putIfAbsent(vocab.get(id).path(0).asText(), id);
                }
                maxId = vocab.size() - 1;
            }
            if (maxId < 0) {
                throw new InvalidTokenizerException(
                        file + " is not a tokenizer.json: its model has no vocab");
            }
            for (JsonNode added : root.path("added_tokens")) {
                int id = added.path("id").asInt(-1);
                if (id < 0 || !added.path("content").isTextual()) {
                    throw new InvalidTokenizerException(
                            file + ": an added_tokens entry has no id or content: " + added);
                }
                maxId = Math.max(maxId, id);
                named.put(added.path("content").asText(), id);
            }
            for (String name : EOS_NAMES) {
                Integer id = named.get(name);
                if (id != null) {
                    return new Vocabulary(maxId + 1, id);
                }
            }
            throw new InvalidTokenizerException(
                    file + " has no end-of-text token (one of " + EOS_NAMES + ")");
        }
    }
}
