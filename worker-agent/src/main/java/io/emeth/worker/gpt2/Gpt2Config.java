package io.emeth.worker.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The architecture of a GPT-2 checkpoint as HF's {@code config.json} states it ({@code
 * GPT2Config}): the keys this worker needs, read from and written to HF's key names.
 *
 * @param layers {@code n_layer}
 * @param width {@code n_embd}
 * @param heads {@code n_head}; divides {@code width}
 * @param vocabSize {@code vocab_size}
 * @param positions {@code n_positions}: rows of the position embedding, the longest sequence
 * @param innerWidth {@code n_inner}, the MLP's hidden width ({@code null} in the file means 4 ×
 *     width)
 * @param layerNormEpsilon {@code layer_norm_epsilon}
 * @param tanhGelu whether {@code activation_function} is GELU's tanh approximation ({@code
 *     gelu_new}, GPT-2's own) rather than the exact {@code gelu}
 */
public record Gpt2Config(
        int layers,
        int width,
        int heads,
        int vocabSize,
        int positions,
        int innerWidth,
        double layerNormEpsilon,
        boolean tanhGelu) {

    /** The file name in a model directory. */
    public static final String FILE = "config.json";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Gpt2Config {
        require("n_layer", layers, 1, 1024);
        require("n_embd", width, 1, 1 << 16);
        require("n_head", heads, 1, width);
        if (width % heads != 0) {
            throw new IllegalArgumentException(
                    "n_embd (" + width + ") must be divisible by n_head (" + heads + ")");
        }
        require("vocab_size", vocabSize, 2, 1 << 20);
        require("n_positions", positions, 1, 1 << 16);
        require("n_inner", innerWidth, 1, 1 << 18);
        if (!(layerNormEpsilon > 0 && layerNormEpsilon < 1)) {
            throw new IllegalArgumentException(
                    "layer_norm_epsilon must be in (0, 1), was " + layerNormEpsilon);
        }
    }

    /** GPT-2 small's shape (124M parameters) with {@code vocabSize} tokens. */
    public static Gpt2Config small(int vocabSize) {
        return of(12, 768, 12, vocabSize, 1024);
    }

    /** GPT-2 medium's shape (355M parameters) with {@code vocabSize} tokens. */
    public static Gpt2Config medium(int vocabSize) {
        return of(24, 1024, 16, vocabSize, 1024);
    }

    /** A GPT-2 of this shape with HF's defaults (n_inner 4 × width, eps 1e-5, gelu_new). */
    public static Gpt2Config of(int layers, int width, int heads, int vocabSize, int positions) {
        return new Gpt2Config(layers, width, heads, vocabSize, positions, 4 * width, 1e-5, true);
    }

    /** Width of one attention head. */
    public int headWidth() {
        return width / heads;
    }

    /** Trainable parameters (the LM head is tied to the token embedding). */
    public long parameterCount() {
        return (long) vocabSize * width
                + (long) positions * width
                + layers * layerParameters()
                + 2L * width;
    }

    /** Parameters of the matmuls per token (6·N of the training FLOPs), embeddings excluded. */
    public long nonEmbeddingParameters() {
        return layers * layerParameters() + 2L * width;
    }

    private long layerParameters() {
        long c = width;
        return 4 * c
                + c * 3 * c
                + 3 * c
                + c * c
                + c
                + c * innerWidth
                + innerWidth
                + innerWidth * c
                + c;
    }

    /**
     * Reads {@code dir/config.json}.
     *
     * @throws InvalidCheckpointException naming the file and the key when it is missing, not JSON,
     *     or describes a model this worker cannot build
     */
    public static Gpt2Config read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new InvalidCheckpointException(file + " cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidCheckpointException(file + " is not a JSON object");
        }
        String type = root.path("model_type").asText("gpt2");
        if (!type.equals("gpt2")) {
            throw new InvalidCheckpointException(
                    file + ": model_type is '" + type + "'; this worker trains only 'gpt2'");
        }
        for (String unsupported :
                new String[] {"scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn"}) {
            if (root.path(unsupported).asBoolean(false)) {
                throw new InvalidCheckpointException(
                        file + ": " + unsupported + " = true is not supported");
            }
        }
        String activation = root.path("activation_function").asText("gelu_new");
        boolean tanh =
                switch (activation) {
                    case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> true;
                    case "gelu" -> false;
                    default ->
                            throw new InvalidCheckpointException(
                                    file
                                            + ": activation_function '"
                                            + activation
                                            + "' is not supported (gelu_new or gelu)");
                };
        try {
            int width = integer(root, "n_embd", file);
            JsonNode inner = root.get("n_inner");
            return new Gpt2Config(
                    integer(root, "n_layer", file),
                    width,
                    integer(root, "n_head", file),
                    integer(root, "vocab_size", file),
                    integer(root, "n_positions", file),
                    inner == null || inner.isNull() ? 4 * width : integer(root, "n_inner", file),
                    root.path("layer_norm_epsilon").asDouble(1e-5),
                    tanh);
        } catch (InvalidCheckpointException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidCheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes HF's {@code config.json} for this shape (loadable by {@code from_pretrained}). */
    public void write(Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("GPT2LMHeadModel");
        root.put("model_type", "gpt2");
        root.put("activation_function", tanhGelu ? "gelu_new" : "gelu");
        root.put("n_layer", layers);
        root.put("n_embd", width);
        root.put("n_head", heads);
        root.put("n_positions", positions);
        root.put("n_ctx", positions);
        if (innerWidth == 4 * width) {
            root.putNull("n_inner");
        } else {
            root.put("n_inner", innerWidth);
        }
        root.put("vocab_size", vocabSize);
        root.put("layer_norm_epsilon", layerNormEpsilon);
        root.put("initializer_range", 0.02);
        root.put("attn_pdrop", 0.1);
        root.put("embd_pdrop", 0.1);
        root.put("resid_pdrop", 0.1);
        root.put("scale_attn_weights", true);
        root.put("tie_word_embeddings", true);
        root.put("bos_token_id", vocabSize - 1);
        root.put("eos_token_id", vocabSize - 1);
        Files.createDirectories(dir);
        Files.write(dir.resolve(FILE), (JSON.writeValueAsString(root) + "\n").getBytes());
    }

    private static int integer(JsonNode root, String key, Path file) {
        JsonNode value = root.get(key);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new InvalidCheckpointException(
                    file + ": " + key + " must be an integer, was " + value);
        }
        return value.intValue();
    }

    private static void require(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    key + " must be in [" + min + ", " + max + "], was " + value);
        }
    }
}
