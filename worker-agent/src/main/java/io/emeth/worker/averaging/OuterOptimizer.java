package io.emeth.worker.averaging;

import io.emeth.worker.weights.ModelWeights;

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

    /** Plain model averaging (FedAvg): the next global model is the average. */
    static OuterOptimizer plainAveraging() {
        return (previous, average) -> average;
    }
}
