package io.emeth.worker.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.emeth.worker.weights.ModelWeights;
import java.util.List;

/**
 * What {@link ShardTrainer} needs of a live causal language model: its DJL model, its named
 * parameters, which of them weight decay applies to, and in-place loading and copying of its
 * weights. Implemented by the pretrained GPT-2 ({@code gpt2.Gpt2Model}) and by the small byte-level
 * {@link GptModel} that tests use as a fast fixture.
 */
public interface LanguageModel extends AutoCloseable {

    Device device();

    /** The DJL model whose block maps token ids {@code (B, T)} to logits {@code (B, T, V)}. */
    Model djlModel();

    /** The parameters by name, in the model's order. */
    List<Pair<String, Parameter>> namedParameters();

    /** Whether AdamW's weight decay applies to the parameter called {@code name}. */
    boolean decays(String name);

    /** The longest sequence the model reads. */
    int maxSequence();

    /** A copy of the current weights. */
    ModelWeights weights();

    /**
     * Copies {@code weights} into the live parameters (same arrays, so a trainer keeps working).
     */
    void load(ModelWeights weights);

    /**
     * Copies the weights {@code source} hands out into the live parameters, one tensor at a time.
     */
    void load(io.emeth.worker.weights.TensorSource source) throws java.io.IOException;

    /** The parameters' names, order and shapes. */
    io.emeth.worker.weights.WeightsLayout layout();

    /** The live weights, read one tensor at a time. */
    io.emeth.worker.weights.TensorSource tensors();

    /** Next-token logits of one sequence, {@code tokens.length × vocab} values row-major. */
    float[] logits(long[] tokens);

    @Override
    void close();
}
