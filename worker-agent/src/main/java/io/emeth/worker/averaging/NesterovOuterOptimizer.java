package io.emeth.worker.averaging;

import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import io.emeth.worker.weights.WeightsLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The outer optimiser of DiLoCo: SGD with Nesterov momentum on the averaged parameter change.
 *
 * <p>Douillard et al., "DiLoCo: Distributed Low-Communication Training of Language Models"
 * (arXiv:2311.08105), Algorithm 1: each round the outer gradient is {@code Δ = θ_prev −
 * average(θ_i)} and {@code θ ← OuterOpt(θ_prev, Δ)} with Nesterov momentum (their best setting:
 * outer learning rate 0.7, momentum 0.9). In PyTorch's SGD-Nesterov form, which the paper uses:
 *
 * <pre>
 * v ← μ·v + Δ
 * θ ← θ_prev − lr·(Δ + μ·v)
 * </pre>
 *
 * With {@code lr = 1, μ = 0} this is plain averaging. The momentum {@code v} is kept between rounds
 * (one value per parameter); {@link #momentum()} exposes it so a restarted aggregator can resume
 * with {@link #NesterovOuterOptimizer(double, double, ModelWeights)}.
 */
public final class NesterovOuterOptimizer implements OuterOptimizer {

    /** The DiLoCo paper's outer learning rate. */
    public static final double PAPER_LEARNING_RATE = 0.7;

    /** The DiLoCo paper's outer momentum. */
    public static final double PAPER_MOMENTUM = 0.9;

    private final double learningRate;
    private final double momentumFactor;
    private ModelWeights momentum;

    /** With the paper's settings and no momentum yet. */
    public NesterovOuterOptimizer() {
        this(PAPER_LEARNING_RATE, PAPER_MOMENTUM, null);
    }

    /**
     * @param learningRate outer learning rate, in (0, 10]
     * @param momentumFactor Nesterov momentum μ, in [0, 1)
     * @param momentum saved momentum from an earlier round, or null to start at zero
     */
    public NesterovOuterOptimizer(
            double learningRate, double momentumFactor, ModelWeights momentum) {
        if (!(learningRate > 0 && learningRate <= 10)) {
            throw new IllegalArgumentException(
                    "outer learning rate must be in (0, 10], was " + learningRate);
        }
        if (!(momentumFactor >= 0 && momentumFactor < 1)) {
            throw new IllegalArgumentException(
                    "outer momentum must be in [0, 1), was " + momentumFactor);
        }
        this.learningRate = learningRate;
        this.momentumFactor = momentumFactor;
        this.momentum = momentum;
    }

    @Override
    public synchronized ModelWeights step(ModelWeights previous, ModelWeights average) {
        if (momentum != null) {
            previous.requireSameLayout(momentum, "saved outer momentum");
        }
        List<NamedTensor> next = new ArrayList<>();
        List<NamedTensor> nextMomentum = new ArrayList<>();
        for (NamedTensor prev : previous.tensors()) {
            float[] theta = prev.data();
            float[] avg = average.get(prev.name()).data();
            float[] v =
                    momentum == null ? new float[theta.length] : momentum.get(prev.name()).data();
            float[] newTheta = new float[theta.length];
            float[] newV = new float[theta.length];
            update(theta, avg, v, newTheta, newV);
            next.add(new NamedTensor(prev.name(), prev.shape(), newTheta));
            nextMomentum.add(new NamedTensor(prev.name(), prev.shape(), newV));
        }
        momentum = new ModelWeights(nextMomentum);
        return new ModelWeights(next);
    }

    /** The Nesterov update of one tensor: {@code newV} and {@code newTheta} from its inputs. */
    private void update(float[] theta, float[] avg, float[] v, float[] newTheta, float[] newV) {
        for (int i = 0; i < theta.length; i++) {
            double delta = (double) theta[i] - avg[i];
            double velocity = momentumFactor * v[i] + delta;
            newV[i] = (float) velocity;
            newTheta[i] = (float) (theta[i] - learningRate * (delta + momentumFactor * velocity));
        }
    }

    /**
     * The step tensor by tensor; the momentum (one value per parameter) stays in memory, the
     * weights need not.
     */
    @Override
    public Streamed streamed(WeightsLayout layout) {
        synchronized (this) {
            if (momentum != null) {
                layout.mismatch(momentum.layout())
                        .ifPresent(
                                m -> {
                                    throw new IllegalArgumentException(
                                            "saved outer momentum " + m.description());
                                });
            }
        }
        List<NamedTensor> nextMomentum = new ArrayList<>();
        return new Streamed() {
            @Override
            public float[] tensor(int index, float[] theta, float[] avg) {
                WeightsLayout.Entry e = layout.get(index);
                ModelWeights saved = momentum();
                float[] v = saved == null ? new float[theta.length] : saved.get(e.name()).data();
                float[] newTheta = new float[theta.length];
                float[] newV = new float[theta.length];
                update(theta, avg, v, newTheta, newV);
                nextMomentum.add(new NamedTensor(e.name(), e.shape(), newV));
                return newTheta;
            }

            @Override
            public void finish() {
                synchronized (NesterovOuterOptimizer.this) {
                    momentum = new ModelWeights(nextMomentum);
                }
            }
        };
    }

    /** The momentum after the last step, or null before the first. */
    public synchronized ModelWeights momentum() {
        return momentum;
    }
}
