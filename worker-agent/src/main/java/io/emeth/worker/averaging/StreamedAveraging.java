package io.emeth.worker.averaging;

import io.emeth.worker.weights.TensorSource;
import io.emeth.worker.weights.WeightsFile;
import io.emeth.worker.weights.WeightsLayout;
import java.io.IOException;
import java.util.List;

/**
 * {@link ModelAveraging} for weights that stay in their files: the round's start, the shards and
 * the next global model are read and written one tensor, and the shards one range of a tensor, at a
 * time, so an aggregator's heap holds about one tensor of each instead of every shard whole (GPT-2
 * medium: 1.4 GB per copy, its largest tensor 0.2 GB). The arithmetic and its order are {@link
 * ModelAveraging}'s, so the result is the same bytes and sha256.
 */
public final class StreamedAveraging {

    /** Values per shard read at a time: 4 MiB. */
    static final int CHUNK = 1 << 20;

    private StreamedAveraging() {}

    /**
     * One shard in its file.
     *
     * @param tokens its averaging weight (the plan's tokens for its rank)
     */
    public record FileShard(String shardId, WeightsFile weights, long tokens) {}

    /**
     * {@link ModelAveraging#validate} and {@link ModelAveraging#updateNorm} of a shard file in one
     * read of it: tokens > 0, only finite values (the same messages), and {@code ‖shard −
     * previous‖₂} summed in the same order. The layout is not checked again here: the shard's file
     * was opened against the round's ({@code WeightsFile.open(file, layout)}, as {@code
     * ModelStore.downloadFile} does), which refuses another layout naming the tensor.
     *
     * @return the shard's update norm against {@code previous}
     * @throws InvalidShardException naming the shard and, where there is one, the parameter
     */
    public static double validate(WeightsFile previous, FileShard shard) throws IOException {
        if (shard.tokens() <= 0) {
            throw InvalidShardException.noTokens(shard.shardId(), shard.tokens());
        }
        WeightsLayout layout = previous.layout();
        WeightsFile file = shard.weights();
        double sum = 0;
        float[] before = new float[CHUNK];
        float[] after = new float[CHUNK];
        // same layout, names in the same order: tensor t is t in both
        for (int t = 0; t < layout.size(); t++) {
            WeightsLayout.Entry tensor = layout.get(t);
            long elements = tensor.elements();
            for (long from = 0; from < elements; from += CHUNK) {
                int n = (int) Math.min(CHUNK, elements - from);
                file.read(t, from, after, 0, n);
                for (int i = 0; i < n; i++) {
                    if (!Float.isFinite(after[i])) {
                        throw InvalidShardException.nonFinite(
                                shard.shardId(), tensor.name(), after[i], from + i);
                    }
                }
                previous.read(t, from, before, 0, n);
                for (int i = 0; i < n; i++) {
                    double d = (double) after[i] - before[i];
                    sum += d * d;
                }
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * The next global model {@code outer.step(previous, weightedAverage(previous, shards))} as a
     * source computed tensor by tensor when read: read each tensor once, in order (as {@code
     * WeightsCodec.write} does), then call {@link OuterOptimizer.Streamed#finish} on {@code step}.
     * The shards must have been {@link #validate validated}.
     *
     * @param step {@code outer.streamed(previous.layout())}
     */
    public static TensorSource next(
            OuterOptimizer.Streamed step, WeightsFile previous, List<FileShard> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("a round needs at least one shard to average");
        }
        long total = 0;
        for (FileShard shard : shards) {
            total = Math.addExact(total, shard.tokens());
        }
        long totalTokens = total;
        WeightsLayout layout = previous.layout();
        return new TensorSource() {
            @Override
            public WeightsLayout layout() {
                return layout;
            }

            @Override
            public float[] read(int index) throws IOException {
                WeightsLayout.Entry tensor = layout.get(index);
                int elements = Math.toIntExact(tensor.elements());
                float[] average = new float[elements];
                float[] values = new float[Math.min(CHUNK, elements)];
                double[] sum = new double[values.length];
                for (int from = 0; from < elements; from += CHUNK) {
                    int n = Math.min(CHUNK, elements - from);
                    java.util.Arrays.fill(sum, 0, n, 0d);
                    for (FileShard shard : shards) {
                        double weight = (double) shard.tokens() / totalTokens;
                        WeightsFile file = shard.weights();
                        file.read(file.layout().indexOf(tensor.name()), from, values, 0, n);
                        for (int i = 0; i < n; i++) {
                            sum[i] += weight * values[i];
                        }
                    }
                    for (int i = 0; i < n; i++) {
                        average[from + i] = (float) sum[i];
                    }
                }
                return step.tensor(index, previous.read(index), average);
            }
        };
    }
}
