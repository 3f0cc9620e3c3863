package io.emeth.worker.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A live GPT model (DJL, PyTorch engine) whose weights can be read out and replaced in place.
 *
 * <p>Fresh weights come from a {@link Random} seeded by the config, not from the engine, so every
 * worker of a job starts epoch 1 from the same model whatever its device. {@link #load} copies into
 * the existing parameter arrays because DJL's {@code Block.loadParameters} would swap the arrays
 * under a live {@code Trainer}, whose optimiser state is keyed by them.
 */
public final class GptModel extends LiveModel {

    static final String ENGINE = TorchEngine.NAME;

    /** The engine lock (see {@link TorchEngine#locked}). */
    static final ReentrantLock ENGINE_LOCK = TorchEngine.LOCK;

    private static final float INIT_STD = 0.02f;

    private final GptConfig config;

    private GptModel(GptConfig config, Model model, Device device) {
        super(model, device);
        this.config = config;
    }

    private static Model build(GptConfig config, Device device) {
        TorchEngine.get();
        Model model = Model.newInstance("gpt", device, ENGINE);
        GptBlock block = new GptBlock(config);
        model.setBlock(block);
        block.initialize(
                model.getNDManager(), DataType.FLOAT32, new Shape(1, config.contextLength()));
        return model;
    }

    /** A model with fresh weights drawn from {@code config.seed()}. */
    public static GptModel create(GptConfig config, Device device) {
        GptModel gpt = new GptModel(config, build(config, device), device);
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

    /**
     * GPT-2 initialisation: weights N(0, 0.02), the two residual output projections scaled by
     * 1/√(2·layers) so the residual stream does not grow with depth, biases 0, LayerNorm gain 1.
     */
    private ModelWeights initialWeights() {
        Random random = new Random(config.seed());
        float residualStd = (float) (INIT_STD / Math.sqrt(2.0 * config.layers()));
        List<NamedTensor> tensors = new ArrayList<>();
        for (Pair<String, Parameter> p : namedParameters()) {
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
    public boolean decays(String name) {
        return true; // the byte-level fixture keeps its original recipe: decay on every parameter
    }

    @Override
    public int maxSequence() {
        return config.contextLength();
    }

    List<Parameter> parameters() {
        List<Parameter> list = new ArrayList<>();
        namedParameters().forEach(p -> list.add(p.getValue()));
        return list;
    }
}
