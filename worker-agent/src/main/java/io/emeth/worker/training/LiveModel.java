package io.emeth.worker.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.emeth.worker.weights.InvalidWeightsException;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import io.emeth.worker.weights.TensorSource;
import io.emeth.worker.weights.WeightsLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The part every {@link LanguageModel} shares: a DJL model around an initialised block whose
 * weights are read out and replaced in place.
 *
 * <p>{@link #load} copies into the existing parameter arrays because DJL's {@code
 * Block.loadParameters} would swap the arrays under a live {@code Trainer}, whose optimiser state
 * is keyed by them; on the CPU it writes into each parameter's own memory (see {@link #copyInto}).
 */
public abstract class LiveModel implements LanguageModel {

    private final Device device;
    private final Model model;
    private final Block block;
    private final List<Pair<String, Parameter>> parameters = new ArrayList<>();

    /** Takes ownership of {@code model}, whose block must be set and initialised. */
    protected LiveModel(Model model, Device device) {
        this.model = model;
        this.device = device;
        this.block = model.getBlock();
        block.getParameters().forEach(parameters::add);
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Model djlModel() {
        return model;
    }

    @Override
    public List<Pair<String, Parameter>> namedParameters() {
        return parameters;
    }

    /** Number of values in all parameters. */
    public long parameterCount() {
        long count = 0;
        for (Pair<String, Parameter> p : parameters) {
            count += p.getValue().getArray().size();
        }
        return count;
    }

    @Override
    public ModelWeights weights() {
        return TorchEngine.locked(
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
     * @throws InvalidWeightsException if a name or shape differs from this model's
     */
    @Override
    public void load(ModelWeights weights) {
        requireLayout(weights);
        TorchEngine.locked(
                () -> {
                    for (Pair<String, Parameter> p : parameters) {
                        copyInto(p.getValue().getArray(), weights.get(p.getKey()).data());
                    }
                    return null;
                });
    }

    /**
     * Loads the weights {@code source} hands out one tensor at a time (a weights file), so that at
     * most one tensor's values are on the heap besides the model.
     *
     * @throws InvalidWeightsException if a name or shape differs from this model's
     */
    @Override
    public void load(TensorSource source) throws IOException {
        WeightsLayout layout = source.layout();
        layout().mismatch(layout)
                .ifPresent(
                        m -> {
                            throw new InvalidWeightsException("weights " + m.description());
                        });
        for (int i = 0; i < parameters.size(); i++) {
            NDArray array = parameters.get(i).getValue().getArray();
            float[] data = source.read(layout.indexOf(parameters.get(i).getKey()));
            TorchEngine.locked(
                    () -> {
                        copyInto(array, data);
                        return null;
                    });
        }
    }

    @Override
    public WeightsLayout layout() {
        List<WeightsLayout.Entry> entries = new ArrayList<>(parameters.size());
        for (Pair<String, Parameter> p : parameters) {
            entries.add(
                    new WeightsLayout.Entry(
                            p.getKey(), p.getValue().getArray().getShape().getShape()));
        }
        return new WeightsLayout(entries);
    }

    /**
     * The live weights as a source read one tensor at a time (each read a copy of that parameter as
     * it is then): an upload streams the model without a second copy of it on the heap.
     */
    @Override
    public TensorSource tensors() {
        WeightsLayout layout = layout();
        return new TensorSource() {
            @Override
            public WeightsLayout layout() {
                return layout;
            }

            @Override
            public float[] read(int index) {
                NDArray array = parameters.get(index).getValue().getArray();
                return TorchEngine.locked(array::toFloatArray);
            }
        };
    }

    @Override
    public float[] logits(long[] tokens) {
        return TorchEngine.locked(
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

    /**
     * Writes {@code data} into the parameter's own memory through a direct buffer that aliases it.
     * {@code NDArray.set(Buffer)} would instead allocate a new direct buffer and make it the
     * tensor's storage: every load of GPT-2 medium would leave 1.42 GB of old storage for the
     * garbage collector to find, and the parameters would live in Java buffers rather than in the
     * engine's memory. Where the engine would hand out a copy rather than the parameter's memory (a
     * GPU array, not float32), it falls back to {@code set}. Parameters are contiguous: the
     * initialiser creates them so, and neither loading nor {@link Gradients#release} changes their
     * layout.
     */
    private static void copyInto(NDArray array, float[] data) {
        if (!array.getDevice().isGpu() && array.getDataType() == DataType.FLOAT32) {
            ByteBuffer memory = array.toByteBuffer(true);
            if (memory.isDirect() && memory.capacity() == 4L * data.length) {
                memory.asFloatBuffer().put(data);
                return;
            }
        }
        array.set(FloatBuffer.wrap(data));
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

    @Override
    public void close() {
        model.close();
    }
}
