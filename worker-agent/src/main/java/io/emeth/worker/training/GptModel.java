package io.emeth.worker.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A live GPT model (DJL, PyTorch engine) whose weights can be read out and replaced in place.
 *
 * <p>Fresh weights come from a {@link Random} seeded by the config, not from the engine, so every
 * worker of a job starts epoch 1 from the same model whatever its device. {@link #load} copies into
 * the existing parameter arrays because DJL's {@code Block.loadParameters} would swap the arrays
 * under a live {@code Trainer}, whose optimiser state is keyed by them.
 */
public final class GptModel implements AutoCloseable {

    static final String ENGINE = TorchEngine.NAME;

    /**
     * Serialises engine work in this JVM: PyTorch allows one gradient collector per process, and
     * parameters must not be replaced while a step runs.
     */
    static final ReentrantLock ENGINE_LOCK = new ReentrantLock();

    private static final float INIT_STD = 0.02f;

    private final GptConfig config;
    private final Device device;
    private final Model model;
    private final GptBlock block;
    private final List<Pair<String, Parameter>> parameters = new ArrayList<>();

    private GptModel(GptConfig config, Device device) {
        TorchEngine.get();
        this.config = config;
        this.device = device;
        this.model = Model.newInstance("gpt", device, ENGINE);
        this.block = new GptBlock(config);
        model.setBlock(block);
        block.initialize(
                model.getNDManager(), DataType.FLOAT32, new Shape(1, config.contextLength()));
        block.getParameters().forEach(parameters::add);
    }

    /** A model with fresh weights drawn from {@code config.seed()}. */
    public static GptModel create(GptConfig config, Device device) {
        GptModel gpt = new GptModel(config, device);
        try {
            gpt.load(gpt.initialWeights());
        } catch (RuntimeException e) {
            gpt.close();
            throw e;
        }
        return gpt;
    }

    public GptConfig config() {
        return config;
    }

    public Device device() {
        return device;
    }

    /** Number of values in all parameters (equals {@link GptConfig#parameterCount()}). */
    public long parameterCount() {
        long count = 0;
        for (Pair<String, Parameter> p : parameters) {
            count += p.getValue().getArray().size();
        }
        return count;
    }

    /** A copy of the current weights. */
    public ModelWeights weights() {
        return locked(
                () -> {
                    List<NamedTensor> tensors = new ArrayList<>(parameters.size());
                    for (Pair<String, Parameter> p : parameters) {
                        NDArray array = p.getValue().getArray();
                        tensors.add(
                                new NamedTensor(
                                        p.getKey(),
                                        array.getShape().getShape(),
                                        array.toFloatArray()));
                    }
                    return new ModelWeights(tensors);
                });
    }

    /**
     * Copies {@code weights} into the live parameters (same arrays, so a trainer keeps working).
     *
     * @throws InvalidWeightsException if a name or shape differs from this model's
     */
    public void load(ModelWeights weights) {
        requireLayout(weights);
        locked(
                () -> {
                    for (Pair<String, Parameter> p : parameters) {
                        p.getValue()
                                .getArray()
                                .set(FloatBuffer.wrap(weights.get(p.getKey()).data()));
                    }
                    return null;
                });
    }

    /**
     * Next-token logits of one sequence, {@code tokens.length × vocab} values row-major; for
     * evaluation and tests.
     */
    public float[] logits(long[] tokens) {
        return locked(
                () -> {
                    try (NDManager manager = model.getNDManager().newSubManager(device)) {
                        NDArray input = manager.create(tokens, new Shape(1, tokens.length));
                        NDList out =
                                block.forward(
                                        new ParameterStore(manager, false),
                                        new NDList(input),
                                        false);
                        return out.head().toFloatArray();
                    }
                });
    }

    Model djlModel() {
        return model;
    }

    GptBlock block() {
        return block;
    }

    List<Parameter> parameters() {
        List<Parameter> list = new ArrayList<>(parameters.size());
        parameters.forEach(p -> list.add(p.getValue()));
        return list;
    }

    /** Runs engine work under the JVM-wide lock with autograd off for this thread. */
    static <T> T locked(Supplier<T> work) {
        ENGINE_LOCK.lock();
        // Autograd mode is per thread in PyTorch and on by default outside the thread that loaded
        // the engine; in-place writes to parameters must not be recorded.
        boolean gradMode = JniUtils.isGradMode();
        try {
            JniUtils.setGradMode(false);
            return work.get();
        } finally {
            JniUtils.setGradMode(gradMode);
            ENGINE_LOCK.unlock();
        }
    }

    private void requireLayout(ModelWeights weights) {
        for (Pair<String, Parameter> p : parameters) {
            NamedTensor tensor = weights.get(p.getKey());
            long[] expected = p.getValue().getArray().getShape().getShape();
            if (tensor == null) {
                throw new InvalidWeightsException(
                        "weights lack parameter '" + p.getKey() + "' of this model");
            }
            if (!Arrays.equals(tensor.shape(), expected)) {
                throw new InvalidWeightsException(
                        "weights parameter '"
                                + p.getKey()
                                + "' has shape "
                                + Arrays.toString(tensor.shape())
                                + ", this model needs "
                                + Arrays.toString(expected));
            }
        }
        if (weights.tensors().size() != parameters.size()) {
            for (NamedTensor tensor : weights.tensors()) {
                if (parameters.stream().noneMatch(p -> p.getKey().equals(tensor.name()))) {
                    throw new InvalidWeightsException(
                            "weights have parameter '" + tensor.name() + "' this model lacks");
                }
            }
        }
    }

    /**
     * GPT-2 initialisation: weights N(0, 0.02), the two residual output projections scaled by
     * 1/√(2·layers) so the residual stream does not grow with depth, biases 0, LayerNorm gain 1.
     */
    private ModelWeights initialWeights() {
        Random random = new Random(config.seed());
        float residualStd = (float) (INIT_STD / Math.sqrt(2.0 * config.layers()));
        List<NamedTensor> tensors = new ArrayList<>(parameters.size());
        for (Pair<String, Parameter> p : parameters) {
            Parameter parameter = p.getValue();
            long[] shape = parameter.getArray().getShape().getShape();
            float[] data = new float[Math.toIntExact(parameter.getArray().size())];
            switch (parameter.getType()) {
                case GAMMA -> Arrays.fill(data, 1f);
                case WEIGHT -> {
                    boolean residual =
                            p.getKey().endsWith("proj_weight") || p.getKey().endsWith("fc2_weight");
                    float std = residual ? residualStd : INIT_STD;
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) random.nextGaussian() * std;
                    }
                }
                default -> {
                    // biases and LayerNorm shifts start at zero
                }
            }
            tensors.add(new NamedTensor(p.getKey(), shape, data));
        }
        return new ModelWeights(tensors);
    }

    @Override
    public void close() {
        model.close();
    }
}
