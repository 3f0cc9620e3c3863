package io.emeth.worker.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.emeth.worker.training.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HF's {@code GPT2LMHeadModel} as one DJL block: token ids {@code (B, T)} (int64) → next-token
 * logits {@code (B, T, vocab)}.
 *
 * <p>The parameters carry HF's names and shapes exactly ({@code wte.weight}, {@code
 * h.0.attn.c_attn.weight} …), so a checkpoint loads tensor by tensor without renaming: the {@code
 * Conv1D} weights are {@code [in, out]} and applied as {@code x · W + b}, the LM head is {@code
 * wte} itself (tied), GELU is the tanh approximation ({@code gelu_new}) unless the config says
 * {@code gelu}, LayerNorm uses the config's epsilon and attention is scaled by 1/√d_head. Dropout
 * (attention weights, residual branches, embeddings) runs only when training.
 *
 * <p>Every array this forward pass derives from a parameter (a transposed view) is attached to the
 * input's manager: an op on a parameter alone allocates on the model's manager, which lives as long
 * as the model, so one such array per step leaked native memory for the whole job.
 */
public final class Gpt2Block extends AbstractBlock {

    private static final float GELU_C = (float) Math.sqrt(2 / Math.PI);

    private final Gpt2Config config;
    private final float dropout;
    private final Parameter wte;
    private final Parameter wpe;
    private final List<Layer> layers = new ArrayList<>();
    private final Parameter lnFWeight;
    private final Parameter lnFBias;

    private record Layer(
            Parameter ln1Weight,
            Parameter ln1Bias,
            Parameter attnWeight,
            Parameter attnBias,
            Parameter attnProjWeight,
            Parameter attnProjBias,
            Parameter ln2Weight,
            Parameter ln2Bias,
            Parameter fcWeight,
            Parameter fcBias,
            Parameter mlpProjWeight,
            Parameter mlpProjBias) {}

    /**
     * @param dropout the rate of every dropout site (HF's attn/resid/embd_pdrop); 0 turns it off
     */
    public Gpt2Block(Gpt2Config config, float dropout) {
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), was " + dropout);
        }
        this.config = config;
        this.dropout = dropout;
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (TensorShape t : layout(config)) {
            byName.put(t.name(), param(t.name(), type(t.name()), t.shape()));
        }
        wte = byName.get("wte.weight");
        wpe = byName.get("wpe.weight");
        for (int i = 0; i < config.layers(); i++) {
            String p = "h." + i + ".";
            layers.add(
                    new Layer(
                            byName.get(p + "ln_1.weight"),
                            byName.get(p + "ln_1.bias"),
                            byName.get(p + "attn.c_attn.weight"),
                            byName.get(p + "attn.c_attn.bias"),
                            byName.get(p + "attn.c_proj.weight"),
                            byName.get(p + "attn.c_proj.bias"),
                            byName.get(p + "ln_2.weight"),
                            byName.get(p + "ln_2.bias"),
                            byName.get(p + "mlp.c_fc.weight"),
                            byName.get(p + "mlp.c_fc.bias"),
                            byName.get(p + "mlp.c_proj.weight"),
                            byName.get(p + "mlp.c_proj.bias")));
        }
        lnFWeight = byName.get("ln_f.weight");
        lnFBias = byName.get("ln_f.bias");
    }

    /** A tensor's HF name and shape. */
    public record TensorShape(String name, long[] shape) {}

    /**
     * The tensors of a GPT-2 of this config in HF's order, with HF's names and shapes (no {@code
     * transformer.} prefix, no attention mask buffers, no separate LM head).
     */
    public static List<TensorShape> layout(Gpt2Config config) {
        long c = config.width();
        long inner = config.innerWidth();
        List<TensorShape> list = new ArrayList<>();
        list.add(new TensorShape("wte.weight", new long[] {config.vocabSize(), c}));
        list.add(new TensorShape("wpe.weight", new long[] {config.positions(), c}));
        for (int i = 0; i < config.layers(); i++) {
            String p = "h." + i + ".";
            list.add(new TensorShape(p + "ln_1.weight", new long[] {c}));
            list.add(new TensorShape(p + "ln_1.bias", new long[] {c}));
            list.add(new TensorShape(p + "attn.c_attn.weight", new long[] {c, 3 * c}));
            list.add(new TensorShape(p + "attn.c_attn.bias", new long[] {3 * c}));
            list.add(new TensorShape(p + "attn.c_proj.weight", new long[] {c, c}));
            list.add(new TensorShape(p + "attn.c_proj.bias", new long[] {c}));
            list.add(new TensorShape(p + "ln_2.weight", new long[] {c}));
            list.add(new TensorShape(p + "ln_2.bias", new long[] {c}));
            list.add(new TensorShape(p + "mlp.c_fc.weight", new long[] {c, inner}));
            list.add(new TensorShape(p + "mlp.c_fc.bias", new long[] {inner}));
            list.add(new TensorShape(p + "mlp.c_proj.weight", new long[] {inner, c}));
            list.add(new TensorShape(p + "mlp.c_proj.bias", new long[] {c}));
        }
        list.add(new TensorShape("ln_f.weight", new long[] {c}));
        list.add(new TensorShape("ln_f.bias", new long[] {c}));
        return list;
    }

    private static Parameter.Type type(String name) {
        boolean norm = name.contains("ln_");
        if (name.endsWith(".bias")) {
            return norm ? Parameter.Type.BETA : Parameter.Type.BIAS;
        }
        return norm ? Parameter.Type.GAMMA : Parameter.Type.WEIGHT;
    }

    public Gpt2Config config() {
        return config;
    }

    /**
     * Whether HF's recipe decays the parameter called {@code name}: the matmul weights ({@code
     * Conv1D}) only, not biases, LayerNorm gains or the embeddings (which are also the LM head).
     */
    public static boolean decays(String name) {
        return name.startsWith("h.")
                && name.endsWith(".weight")
                && !name.contains(".ln_1.")
                && !name.contains(".ln_2.");
    }

    private Parameter param(String name, Parameter.Type type, long... shape) {
        return addParameter(
                Parameter.builder().setName(name).setType(type).optShape(new Shape(shape)).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray tokens = inputs.head();
        NDManager manager = tokens.getManager();
        long batch = tokens.getShape().get(0);
        long time = tokens.getShape().get(1);
        if (time > config.positions()) {
            throw new IllegalArgumentException(
                    "sequence of " + time + " tokens exceeds n_positions " + config.positions());
        }
        boolean drop = training && dropout > 0f;
        NDArray positions = manager.arange(0f, (float) time, 1f, DataType.INT64);
        NDArray x =
                Embedding.embedding(tokens, value(store, wte, tokens, training), SparseFormat.DENSE)
                        .head()
                        .add(
                                Embedding.embedding(
                                                positions,
                                                value(store, wpe, tokens, training),
                                                SparseFormat.DENSE)
                                        .head());
        x = drop ? Dropout.dropout(x, dropout, true).head() : x;
        NDArray mask = causalMask(manager, (int) time);
        for (Layer layer : layers) {
            // the layer's intermediate arrays are freed when it is done, not at the step's end:
            // autograd keeps (by reference) the few the backward pass needs, and the rest of
            // GPT-2 medium's intermediates (≈ 0.1 GB per layer at batch 4 × 128) would otherwise
            // all stay resident until the step closes its manager
            try (NDManager scope = manager.newSubManager()) {
                x.tempAttach(scope);
                NDArray out = layer(store, layer, x, manager, mask, batch, time, training, drop);
                out.attach(manager);
                x = out;
            }
        }
        x = norm(store, x, lnFWeight, lnFBias, training);
        // the tied LM head: logits = x · wteᵀ (torch's linear takes the [out, in] weight as is)
        return Linear.linear(x, value(store, wte, tokens, training));
    }

    /**
     * One transformer layer on {@code x}; its intermediates land in {@code x}'s manager, scalars
     * and the mask in the step's {@code manager} (see {@link Scalars}).
     */
    private NDArray layer(
            ParameterStore store,
            Layer layer,
            NDArray x,
            NDManager manager,
            NDArray mask,
            long batch,
            long time,
            boolean training,
            boolean drop) {
        NDArray h = norm(store, x, layer.ln1Weight, layer.ln1Bias, training);
        NDList qkv = conv1d(store, h, layer.attnWeight, layer.attnBias, training).split(3, 2);
        NDArray q = heads(qkv.get(0), batch, time);
        NDArray k = heads(qkv.get(1), batch, time);
        NDArray v = heads(qkv.get(2), batch, time);
        NDArray weights =
                q.matMul(k.transpose(0, 1, 3, 2))
                        .mul(Scalars.of(manager, 1.0 / Math.sqrt(config.headWidth())))
                        .add(mask)
                        .softmax(-1);
        weights = drop ? Dropout.dropout(weights, dropout, true).head() : weights;
        NDArray merged =
                weights.matMul(v).transpose(0, 2, 1, 3).reshape(batch, time, config.width());
        NDArray attended =
                conv1d(store, merged, layer.attnProjWeight, layer.attnProjBias, training);
        NDArray y = x.add(drop ? Dropout.dropout(attended, dropout, true).head() : attended);

        h = norm(store, y, layer.ln2Weight, layer.ln2Bias, training);
        h = gelu(manager, conv1d(store, h, layer.fcWeight, layer.fcBias, training));
        h = conv1d(store, h, layer.mlpProjWeight, layer.mlpProjBias, training);
        return y.add(drop ? Dropout.dropout(h, dropout, true).head() : h);
    }

    /** HF's Conv1D: {@code x · W + b} with {@code W} stored {@code [in, out]}. */
    private NDArray conv1d(
            ParameterStore store, NDArray x, Parameter weight, Parameter bias, boolean training) {
        NDArray w = value(store, weight, x, training).transpose();
        w.attach(x.getManager()); // a view made from a parameter: free it with this step
        return Linear.linear(x, w, value(store, bias, x, training)).head();
    }

    private NDArray norm(
            ParameterStore store, NDArray x, Parameter gain, Parameter shift, boolean training) {
        return LayerNorm.layerNorm(
                        x,
                        new Shape(config.width()),
                        value(store, gain, x, training),
                        value(store, shift, x, training),
                        (float) config.layerNormEpsilon())
                .head();
    }

    /** {@code gelu_new}: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), or the exact GELU. */
    private NDArray gelu(NDManager manager, NDArray x) {
        if (!config.tanhGelu()) {
            return Activation.gelu(x);
        }
        NDArray inner =
                x.mul(x)
                        .mul(x)
                        .mul(Scalars.of(manager, 0.044715f))
                        .add(x)
                        .mul(Scalars.of(manager, GELU_C))
                        .tanh()
                        .add(Scalars.of(manager, 1f));
        return x.mul(inner).mul(Scalars.of(manager, 0.5f));
    }

    private NDArray heads(NDArray part, long batch, long time) {
        return part.reshape(batch, time, config.heads(), config.headWidth()).transpose(0, 2, 1, 3);
    }

    private static NDArray value(
            ParameterStore store, Parameter parameter, NDArray like, boolean training) {
        return store.getValue(parameter, like.getDevice(), training);
    }

    /** The additive causal mask {@code (T, T)}: 0 on and below the diagonal, −∞ above it. */
    static NDArray causalMask(NDManager manager, int time) {
        float[] mask = new float[time * time];
        for (int i = 0; i < time; i++) {
            for (int j = i + 1; j < time; j++) {
                mask[i * time + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return manager.create(mask, new Shape(time, time));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), config.vocabSize())};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks: every parameter is this block's own, with its shape fixed at build
    }
}
