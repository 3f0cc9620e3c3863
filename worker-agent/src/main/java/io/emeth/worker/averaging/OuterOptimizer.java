package io.emeth.worker.averaging;

import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.WeightsLayout;

/**
 * Turns the round's previous global model and the token-weighted average of the shards into the
 * next global model.
 */
public interface OuterOptimizer {

    /**
     * @param previous the global model the shards started the round from
     * @param average the token-weighted average of the shards' weights (same layout)
     * @return the next global model
     */
    ModelWeights step(ModelWeights previous, ModelWeights average);

    /**
     * {@link #step} one tensor at a time, for weights that stay on disk: {@link Streamed#tensor}
     * for every tensor of {@code layout} in order, then {@link Streamed#finish}. Gives the same
     * values as {@link #step}.
     */
    default Streamed streamed(WeightsLayout layout) {
        return new Streamed() {
            @Override
            public float[] tensor(int index, float[] previous, float[] average) {
                ModelWeights next = step(one(layout, index, previous), one(layout, index, average));
                return next.tensors().get(0).data();
            }

            @Override
            public void finish() {}
        };
    }

    private static ModelWeights one(WeightsLayout layout, int index, float[] values) {
        WeightsLayout.Entry e = layout.get(index);
        return new ModelWeights(
                java.util.List.of(
                        new io.emeth.worker.weights.NamedTensor(e.name(), e.shape(), values)));
    }

    /** One streamed step (see {@link #streamed}). */
    interface Streamed {
        /** The next values of tensor {@code index} from its previous values and the average. */
        float[] tensor(int index, float[] previous, float[] average);

        /** Ends the step (an optimiser with state keeps it from here). */
        void finish();
    }

    /** Plain model averaging (FedAvg): the next global model is the average. */
    static OuterOptimizer plainAveraging() {
        return new OuterOptimizer() {
            @Override
            public ModelWeights step(ModelWeights previous, ModelWeights average) {
                return average;
            }

            @Override
            public Streamed streamed(WeightsLayout layout) {
                return new Streamed() {
                    @Override
                    public float[] tensor(int index, float[] previous, float[] average) {
                        return average;
                    }

                    @Override
                    public void finish() {}
                };
            }
        };
    }
}
