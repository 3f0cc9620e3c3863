package io.emeth.worker.averaging;

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

    /** The rejected shard. */
    public String shardId() {
        return shardId;
    }

    /** The offending parameter, or null when the problem is not one parameter's. */
    public String parameter() {
        return parameter;
    }
}
