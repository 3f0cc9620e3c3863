package io.emeth.worker.averaging;

import io.emeth.worker.weights.ModelWeights;
import java.util.Objects;

/**
 * One worker's trained weights for a round, with the tokens it trained on (its averaging weight).
 *
 * @param shardId names the shard in errors, e.g. "rank 2 (0xAbC…)"
 * @param weights the shard's weights after its epoch
 * @param tokens tokens the shard trained on in the epoch
 */
public record ShardUpdate(String shardId, ModelWeights weights, long tokens) {
    public ShardUpdate {
        Objects.requireNonNull(shardId, "shardId");
        Objects.requireNonNull(weights, "weights");
    }
}
