package io.emeth.master.config;

import io.emeth.schemas.avro.worker.AggregationMethod;
import java.util.Objects;

/**
 * How the rank-0 worker combines a round's shards ({@code aggregation} in {@code
 * config/master.json}): {@code average} (token-weighted model averaging, the default) or {@code
 * diloco} (Nesterov momentum on the averaged change, with {@code outer_learning_rate} and {@code
 * outer_momentum}, defaults 0.7 and 0.9 as in the DiLoCo paper).
 */
public record AggregationSettings(
        AggregationMethod method, double outerLearningRate, double outerMomentum) {
    public static final AggregationSettings DEFAULTS =
            new AggregationSettings(AggregationMethod.AVERAGE, 1.0, 0.0);

    public AggregationSettings {
        Objects.requireNonNull(method, "method");
        if (!(outerLearningRate > 0) || Double.isInfinite(outerLearningRate)) {
            throw new IllegalArgumentException(
                    "aggregation.outer_learning_rate must be positive, was " + outerLearningRate);
        }
        if (!(outerMomentum >= 0 && outerMomentum < 1)) {
            throw new IllegalArgumentException(
                    "aggregation.outer_momentum must be in [0, 1), was " + outerMomentum);
        }
    }
}
