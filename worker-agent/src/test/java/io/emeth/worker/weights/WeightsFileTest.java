package io.emeth.worker.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsFileTest {

    @TempDir Path dir;

    private static ModelWeights sample() {
        float[] big = new float[3 * 1000];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7;
        }
        return new ModelWeights(
                List.of(
                        new NamedTensor("emb", new long[] {3, 1000}, big),
                        new NamedTensor("bias", new long[] {2}, new float[] {-0f, 1e-30f})));
    }

    @Test
    void shouldReadBackTensorsAndRangesFromTheFileWithoutDecodingItWhole() throws Exception {
        // Given weights written to a file
        ModelWeights weights = sample();
        Path file = dir.resolve("w.emwt");
        Files.write(file, WeightsCodec.encode(weights));

        // When the file is indexed
        WeightsFile indexed = WeightsFile.open(file, weights.layout());

        // Then it has the weights' layout, gives every tensor and any range of one back
        assertThat(indexed.layout()).isEqualTo(weights.layout());
        assertThat(indexed.readAll()).isEqualTo(weights);
        float[] range = new float[5];
        indexed.read(0, 1998, range, 1, 4);
        assertThat(range)
                .containsExactly(0f, 992f, 992.5f, 993f, 993.5f); // values 1998..2001 of 'emb'
        assertThat(Float.floatToRawIntBits(indexed.read(1)[0])).isEqualTo(0x80000000); // -0
    }

    @Test
    void shouldRefuseAFileOfAnotherLayoutOrATruncatedOne() throws Exception {
        // Given a file of other shapes, and one cut short
        ModelWeights weights = sample();
        ModelWeights other =
                new ModelWeights(
                        List.of(
                                new NamedTensor("emb", new long[] {1000, 3}, new float[3000]),
                                new NamedTensor("bias", new long[] {2}, new float[2])));
        Path otherFile = dir.resolve("other.emwt");
        Files.write(otherFile, WeightsCodec.encode(other));
        byte[] bytes = WeightsCodec.encode(weights);
        Path cut = dir.resolve("cut.emwt");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 3));

        // Then each is refused naming what is wrong
        assertThatThrownBy(() -> WeightsFile.open(otherFile, weights.layout()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessage("weights parameter 'emb' has shape [1000, 3], expected [3, 1000]");
        assertThatThrownBy(() -> WeightsFile.open(cut))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("truncated: tensor 'bias'");
    }

    @Test
    void shouldWriteTheSameBytesFromAnySource() throws Exception {
        // Given weights in memory and the same weights in a file
        ModelWeights weights = sample();
        Path file = dir.resolve("w.emwt");
        Files.write(file, WeightsCodec.encode(weights));

        // When the file is written again, read one tensor at a time
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WeightsCodec.write(WeightsFile.open(file), out);

        // Then the bytes are the encoding's
        assertThat(out.toByteArray()).isEqualTo(WeightsCodec.encode(weights));
        assertThat(WeightsCodec.encode((TensorSource) WeightsFile.open(file)))
                .isEqualTo(WeightsCodec.encode(weights));
    }
}
