package io.emeth.worker.averaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.worker.averaging.StreamedAveraging.FileShard;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import io.emeth.worker.weights.TensorSource;
import io.emeth.worker.weights.WeightsCodec;
import io.emeth.worker.weights.WeightsFile;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamedAveragingTest {

    @TempDir Path dir;

    /** Weights with a tensor longer than one read chunk, so ranges are stitched together. */
    private static ModelWeights random(long seed) {
        Random random = new Random(seed);
        float[] big = new float[StreamedAveraging.CHUNK + 1001];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) random.nextGaussian();
        }
        float[] small = {random.nextFloat(), random.nextFloat(), random.nextFloat()};
        return new ModelWeights(
                List.of(
                        new NamedTensor("big", new long[] {big.length}, big),
                        new NamedTensor("small", new long[] {3}, small)));
    }

    private WeightsFile file(String name, ModelWeights weights) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, WeightsCodec.encode(weights));
        return WeightsFile.open(file);
    }

    @Test
    void shouldGiveTheInMemoryAveragesBytesForPlainAndDilocoRounds() throws Exception {
        // Given a round's start and three shards of different token counts, in memory and on disk
        ModelWeights start = random(1);
        List<ShardUpdate> inMemory = new ArrayList<>();
        List<FileShard> onDisk = new ArrayList<>();
        long[] tokens = {100, 300, 601};
        for (int r = 0; r < 3; r++) {
            ModelWeights shard = random(10 + r);
            inMemory.add(new ShardUpdate("rank " + r, shard, tokens[r]));
            onDisk.add(new FileShard("rank " + r, file("s" + r + ".emwt", shard), tokens[r]));
        }
        WeightsFile startFile = file("start.emwt", start);

        // When averaged plainly and with DiLoCo (two rounds, so the momentum carries over),
        // streamed and in memory
        ModelAveraging plain = ModelAveraging.plain();
        NesterovOuterOptimizer streamedOuter = new NesterovOuterOptimizer(0.7, 0.9, null);
        NesterovOuterOptimizer memoryOuter = new NesterovOuterOptimizer(0.7, 0.9, null);
        byte[] plainStreamed = streamed(plain.outer(), startFile, onDisk);
        byte[] diloco1 = streamed(streamedOuter, startFile, onDisk);
        byte[] diloco2 = streamed(streamedOuter, startFile, onDisk);
        ModelWeights memory1 = new ModelAveraging(memoryOuter).aggregate(start, inMemory);
        ModelWeights memory2 = new ModelAveraging(memoryOuter).aggregate(start, inMemory);

        // Then the streamed results are the in-memory ones bit for bit, momentum included
        assertThat(plainStreamed).isEqualTo(WeightsCodec.encode(plain.aggregate(start, inMemory)));
        assertThat(diloco1).isEqualTo(WeightsCodec.encode(memory1));
        assertThat(diloco2).isEqualTo(WeightsCodec.encode(memory2));
        assertThat(streamedOuter.momentum()).isEqualTo(memoryOuter.momentum());

        // And so is every shard's update norm
        for (int r = 0; r < 3; r++) {
            assertThat(StreamedAveraging.validate(startFile, onDisk.get(r)))
                    .isEqualTo(ModelAveraging.updateNorm(start, inMemory.get(r).weights()));
        }
    }

    private static byte[] streamed(OuterOptimizer outer, WeightsFile start, List<FileShard> shards)
            throws Exception {
        OuterOptimizer.Streamed step = outer.streamed(start.layout());
        TensorSource next = StreamedAveraging.next(step, start, shards);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WeightsCodec.write(next, out);
        step.finish();
        return out.toByteArray();
    }

    @Test
    void shouldRefuseAShardFileHoldingNaNBeyondTheFirstChunk() throws Exception {
        // Given a shard whose big tensor holds NaN past the first read chunk
        WeightsFile start = file("start.emwt", random(1));
        ModelWeights bad = random(2);
        bad.get("big").data()[StreamedAveraging.CHUNK + 5] = Float.NaN;
        FileShard shard = new FileShard("rank 1 (0xB)", file("bad.emwt", bad), 10);

        // Then it is refused naming the shard, parameter and index
        assertThatThrownBy(() -> StreamedAveraging.validate(start, shard))
                .isInstanceOf(InvalidShardException.class)
                .hasMessage(
                        "shard rank 1 (0xB) parameter 'big' holds NaN at index "
                                + (StreamedAveraging.CHUNK + 5)
                                + "; non-finite weights are rejected");
    }
}
