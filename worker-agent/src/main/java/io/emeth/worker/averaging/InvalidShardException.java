package io.emeth.worker.averaging;

import io.emeth.worker.weights.ModelWeights;

/**
 * A shard that must not enter the average: non-finite values, a layout that differs from the global
 * model, or no tokens. Carries the shard and parameter so the aggregator can report them.
 */
public final class InvalidShardException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String shardId;
    private final String parameter;

    public InvalidShardException(String shardId, String parameter, String message) {
        super(message);
        this.shardId = shardId;
        this.parameter = parameter;
    }

    /** A shard that reports no tokens (or fewer). */
    static InvalidShardException noTokens(String shardId, long tokens) {
        return new InvalidShardException(
                shardId,
                null,
                "shard "
                        + shardId
                        + " reports "
                        + tokens
                        + " tokens; a shard must have trained on at least one");
    }

    /** A shard whose layout differs from the global model's. */
    static InvalidShardException layout(String shardId, ModelWeights.Mismatch mismatch) {
        return new InvalidShardException(
                shardId, mismatch.parameter(), "shard " + shardId + " " + mismatch.description());
    }

    /** A shard holding a non-finite {@code value} at {@code index} of {@code parameter}. */
    static InvalidShardException nonFinite(
            String shardId, String parameter, float value, long index) {
        return new InvalidShardException(
                shardId,
                parameter,
                "shard "
                        + shardId
                        + " parameter '"
                        + parameter
                        + "' holds "
                        + value
                        + " at index "
                        + index
                        + "; non-finite weights are rejected");
    }

    /** The rejected shard. */
    public String shardId() {
        return shardId;
    }

    /** The offending parameter, or null when the problem is not one parameter's. */
    public String parameter() {
        return parameter;
    }
}
