package io.emeth.worker.gpt2;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import io.emeth.worker.gpt2.Gpt2Block.TensorShape;
import io.emeth.worker.training.LiveModel;
import io.emeth.worker.training.TorchEngine;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * A live GPT-2 ({@link Gpt2Block}) loaded from, and saved to, a HF model directory: {@code
 * config.json} and {@code model.safetensors} (fp16/bf16 tensors are converted to fp32 on load).
 *
 * <p>{@link #checkpoint} reads and checks a directory without the engine, so a worker can verify
 * the models it holds at start; a bad file is an {@link InvalidCheckpointException} naming the file
 * and the tensor, never a crash mid-job.
 */
public final class Gpt2Model extends LiveModel {

    /** The weights file in a model directory. */
    public static final String WEIGHTS_FILE = "model.safetensors";

    /** Older HF files carry the attention masks as buffers; they are not weights. */
    private static final Pattern BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(masked_)?bias");

    private static final String PREFIX = "transformer.";
    private static final String LM_HEAD = "lm_head.weight";
    private static final double INIT_STD = 0.02;

    private final Gpt2Config config;

    private Gpt2Model(Gpt2Config config, Model model, Device device) {
        super(model, device);
        this.config = config;
    }

    /** A checkpoint read from disk: its config and its weights in the model's order. */
    public record Checkpoint(Gpt2Config config, ModelWeights weights) {}

    /** Builds a model of {@code checkpoint}'s shape with its weights. */
    public static Gpt2Model create(Checkpoint checkpoint, float dropout, Device device) {
        Gpt2Model model = empty(checkpoint.config(), dropout, device);
        try {
            model.load(checkpoint.weights());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** Loads the model directory {@code dir} (see {@link #checkpoint}). */
    public static Gpt2Model load(Path dir, float dropout, Device device) throws IOException {
        return create(checkpoint(dir), dropout, device);
    }

    /** A model of this shape with all weights zero, for {@link #load(ModelWeights)}. */
    public static Gpt2Model empty(Gpt2Config config, float dropout, Device device) {
        TorchEngine.get();
        Model model = Model.newInstance("gpt2", device, TorchEngine.NAME);
        try {
            Gpt2Block block = new Gpt2Block(config, dropout);
            // the weights are copied in right after: skip the engine's random initialisation
            block.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1));
            return new Gpt2Model(config, model, device);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Reads {@code dir/config.json} and {@code dir/model.safetensors}: tensor names with or without
     * the {@code transformer.} prefix, attention mask buffers and a tied {@code lm_head.weight}
     * ignored.
     *
     * @throws InvalidCheckpointException naming the file and tensor when a file is missing or bad,
     *     a tensor is missing or of the wrong shape, or one is not part of the config's model
     * @throws IOException if a file cannot be read
     */
    public static Checkpoint checkpoint(Path dir) throws IOException {
        Gpt2Config config = Gpt2Config.read(dir);
        Path file = weightsFile(dir);
        Map<String, NamedTensor> byName =
                stripped(file, Safetensors.read(file, name -> !ignored(strip(name))));
        Map<String, long[]> shapes = new HashMap<>();
        byName.forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        requireLayout(file, config, shapes);
        List<NamedTensor> ordered = new ArrayList<>();
        for (TensorShape expected : Gpt2Block.layout(config)) {
            NamedTensor tensor = byName.get(expected.name());
            ordered.add(new NamedTensor(expected.name(), tensor.shape(), tensor.data()));
        }
        return new Checkpoint(config, new ModelWeights(ordered));
    }

    /**
     * Checks {@code dir}'s {@code config.json} and the header of its {@code model.safetensors}
     * against each other as {@link #checkpoint} does (every tensor present, of its shape and a
     * readable dtype, none extra) without reading the weights: what a worker checks at start.
     *
     * @throws InvalidCheckpointException naming the file and tensor
     * @throws IOException if a file cannot be read
     */
    public static Gpt2Config checkHeader(Path dir) throws IOException {
        Gpt2Config config = Gpt2Config.read(dir);
        Path file = weightsFile(dir);
        requireLayout(
                file, config, stripped(file, Safetensors.shapes(file, n -> !ignored(strip(n)))));
        return config;
    }

    private static Path weightsFile(Path dir) {
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            throw new InvalidCheckpointException(file + " is missing");
        }
        return file;
    }

    /** The tensors by name without the {@code transformer.} prefix; one named twice is refused. */
    private static <T> Map<String, T> stripped(Path file, Map<String, T> read) {
        Map<String, T> byName = new HashMap<>();
        for (Map.Entry<String, T> e : read.entrySet()) {
            String name = strip(e.getKey());
            if (byName.put(name, e.getValue()) != null) {
                throw new InvalidCheckpointException(
                        file + " holds tensor '" + name + "' twice (with and without prefix)");
            }
        }
        return byName;
    }

    /** Every tensor of the config's model present with its shape, and no other. */
    private static void requireLayout(Path file, Gpt2Config config, Map<String, long[]> shapes) {
        Map<String, long[]> left = new HashMap<>(shapes);
        for (TensorShape expected : Gpt2Block.layout(config)) {
            long[] shape = left.remove(expected.name());
            if (shape == null) {
                throw new InvalidCheckpointException(
                        file
                                + " lacks tensor '"
                                + expected.name()
                                + "' of the model "
                                + Gpt2Config.FILE
                                + " describes");
            }
            if (!Arrays.equals(shape, expected.shape())) {
                throw new InvalidCheckpointException(
                        file
                                + " has tensor '"
                                + expected.name()
                                + "' of shape "
                                + Arrays.toString(shape)
                                + "; "
                                + Gpt2Config.FILE
                                + " needs "
                                + Arrays.toString(expected.shape()));
            }
        }
        if (!left.isEmpty()) {
            throw new InvalidCheckpointException(
                    file
                            + " has tensor '"
                            + left.keySet().iterator().next()
                            + "', which is not part of the model "
                            + Gpt2Config.FILE
                            + " describes");
        }
    }

    private static String strip(String name) {
        return name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
    }

    private static boolean ignored(String name) {
        return name.equals(LM_HEAD) || BUFFER.matcher(name).matches();
    }

    /**
     * Writes {@code weights} as {@code dir/model.safetensors} and {@code config} as config.json.
     */
    public static void save(Path dir, Gpt2Config config, ModelWeights weights) throws IOException {
        Files.createDirectories(dir);
        config.write(dir);
        Safetensors.write(dir.resolve(WEIGHTS_FILE), weights.tensors());
    }

    /**
     * Writes a GPT-2 of {@code config} with random weights into {@code dir} ({@code config.json}
     * and {@code model.safetensors}), initialised as HF does: matmul weights and embeddings N(0,
     * 0.02) with the residual projections scaled by 1/√(2·layers), biases 0, LayerNorm gains 1. The
     * same seed gives the same bytes.
     */
    public static void writeRandom(Path dir, Gpt2Config config, long seed) throws IOException {
        save(dir, config, randomWeights(config, seed));
    }

    /** The weights {@link #writeRandom} writes. */
    public static ModelWeights randomWeights(Gpt2Config config, long seed) {
        Random random = new Random(seed);
        double residualStd = INIT_STD / Math.sqrt(2.0 * config.layers());
        List<NamedTensor> tensors = new ArrayList<>();
        for (TensorShape t : Gpt2Block.layout(config)) {
            float[] data = new float[Math.toIntExact(NamedTensor.elements(t.shape()))];
            String name = t.name();
            if (name.contains("ln_") && name.endsWith(".weight")) {
                Arrays.fill(data, 1f);
            } else if (name.endsWith(".weight")) {
                double std = name.endsWith("c_proj.weight") ? residualStd : INIT_STD;
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) (random.nextGaussian() * std);
                }
            }
            tensors.add(new NamedTensor(name, t.shape(), data));
        }
        return new ModelWeights(tensors);
    }

    public Gpt2Config config() {
        return config;
    }

    /** Saves this model's current weights into {@code dir} (see {@link #save}). */
    public void save(Path dir) throws IOException {
        save(dir, config, weights());
    }

    @Override
    public boolean decays(String name) {
        return Gpt2Block.decays(name);
    }

    @Override
    public int maxSequence() {
        return config.positions();
    }
}
