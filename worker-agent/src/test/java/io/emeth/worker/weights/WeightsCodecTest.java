package io.emeth.worker.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsCodecTest {

    private static ModelWeights sample() {
        return new ModelWeights(
                List.of(
                        new NamedTensor(
                                "a_weight", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
                        new NamedTensor(
                                "a_bias", new long[] {3}, new float[] {-0f, 0.5f, 1e-30f})));
    }

    @Test
    void shouldEncodeTheDocumentedBytes() {
        // Given one tensor 'w' of shape [2] holding 1.0 and -2.5
        ModelWeights weights =
                new ModelWeights(
                        List.of(new NamedTensor("w", new long[] {2}, new float[] {1f, -2.5f})));

        // When encoded
        byte[] bytes = WeightsCodec.encode(weights);

        // Then the bytes and their sha256 are the ones built by hand (Python struct, hashlib)
        assertThat(HexFormat.of().formatHex(bytes))
                .isEqualTo("454d575401000000010000000100770102000000000000000000803f000020c0");
        assertThat(HexFormat.of().formatHex(WeightsCodec.sha256(weights)))
                .isEqualTo("43fae472a79f18457892fb229f78073f1a689f82dfd85a20afd877370fb38d02");
    }

    @Test
    void shouldStreamTensorsLargerThanItsBufferToTheSameBytesAsTheFormatSays() {
        // Given tensors that cross the writer's 64 KiB buffer at odd places, and a long name
        float[] big = new float[100_003];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7;
        }
        ModelWeights weights =
                new ModelWeights(
                        List.of(
                                new NamedTensor("small", new long[] {3}, new float[] {1, 2, 3}),
                                new NamedTensor("big", new long[] {100_003}, big),
                                new NamedTensor(
                                        "n".repeat(1000),
                                        new long[] {2, 2},
                                        new float[] {4, 3, 2, 1})));

        // When encoded (streamed) and hashed (streamed)
        byte[] bytes = WeightsCodec.encode(weights);

        // Then the bytes are the format's, built here in one buffer, and so is the sha256
        assertThat(bytes).isEqualTo(inOneBuffer(weights));
        assertThat(WeightsCodec.encodedSize(weights)).isEqualTo(bytes.length);
        assertThat(WeightsCodec.sha256(weights)).isEqualTo(WeightsCodec.sha256(bytes));
    }

    @Test
    void shouldDecodeAFileAsItReadsItAndRefuseATruncatedOne(@TempDir Path dir) throws Exception {
        // Given a weights file larger than the reader's 64 KiB buffer, and a copy missing a byte
        float[] big = new float[70_001];
        Arrays.fill(big, 0.25f);
        ModelWeights weights =
                new ModelWeights(
                        List.of(
                                new NamedTensor("big", new long[] {70_001}, big),
                                new NamedTensor("b", new long[] {2}, new float[] {1, -1})));
        byte[] bytes = WeightsCodec.encode(weights);
        Path file = Files.write(dir.resolve("w.emwt"), bytes);
        Path cut = Files.write(dir.resolve("cut.emwt"), Arrays.copyOf(bytes, bytes.length - 1));

        // Then the whole file decodes to the weights, and the cut one is refused as truncated
        assertThat(WeightsCodec.decode(file, weights)).isEqualTo(weights);
        assertThatThrownBy(() -> WeightsCodec.decode(cut, weights))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("truncated: tensor 'b'");
    }

    /** The format written the plain way: one buffer for everything. */
    private static byte[] inOneBuffer(ModelWeights weights) {
        ByteBuffer out = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(WeightsCodec.MAGIC)
                .putInt(WeightsCodec.VERSION)
                .putInt(weights.tensors().size());
        for (NamedTensor t : weights.tensors()) {
            byte[] name = t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.putShort((short) name.length).put(name).put((byte) t.shape().length);
            for (long dim : t.shape()) {
                out.putLong(dim);
            }
            for (float v : t.data()) {
                out.putFloat(v);
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void shouldRoundTripAndKeepTheSameSha256() {
        // Given weights
        ModelWeights weights = sample();

        // When encoded, decoded and encoded again
        byte[] first = WeightsCodec.encode(weights);
        ModelWeights decoded = WeightsCodec.decode(first, weights);
        byte[] second = WeightsCodec.encode(decoded);

        // Then nothing changed, bit for bit (even -0.0)
        assertThat(decoded).isEqualTo(weights);
        assertThat(second).isEqualTo(first);
        assertThat(WeightsCodec.sha256(decoded)).isEqualTo(WeightsCodec.sha256(weights));
        assertThat(Float.floatToRawIntBits(decoded.get("a_bias").data()[0]))
                .isEqualTo(Float.floatToRawIntBits(-0f));
    }

    @Test
    void shouldRejectTruncatedDataAtEveryLength() {
        // Given a valid encoding
        byte[] bytes = WeightsCodec.encode(sample());

        // When any prefix is decoded, then it is refused as an invalid file, never decoded
        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> WeightsCodec.decode(prefix))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(InvalidWeightsException.class)
                    .hasMessageMatching("(?s).*(truncated|magic|tensors|name).*");
        }
    }

    @Test
    void shouldRejectTrailingBytesBadMagicAndVersion() {
        byte[] bytes = WeightsCodec.encode(sample());

        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> WeightsCodec.decode(trailing))
                .hasMessageContaining("3 unexpected bytes after the last tensor");

        byte[] badMagic = bytes.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> WeightsCodec.decode(badMagic))
                .hasMessageContaining("magic \"EMWT\"");

        byte[] badVersion = bytes.clone();
        badVersion[4] = 2;
        assertThatThrownBy(() -> WeightsCodec.decode(badVersion))
                .hasMessageContaining("format version 2 is not supported");
    }

    @Test
    void shouldRejectHostileHeadersWithoutAllocatingThem() {
        // Given a header declaring a 2^31 x 2^31 tensor in a few bytes
        ByteBuffer buffer = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(WeightsCodec.MAGIC).putInt(1).putInt(1);
        buffer.putShort((short) 1).put((byte) 'w').put((byte) 2);
        buffer.putLong(Integer.MAX_VALUE).putLong(Integer.MAX_VALUE);
        byte[] bytes = Arrays.copyOf(buffer.array(), buffer.position());

        // When decoded, then it is refused as truncated, naming the tensor
        assertThatThrownBy(() -> WeightsCodec.decode(bytes))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("truncated: tensor 'w'");

        // And dimensions whose product overflows a long are refused the same way
        ByteBuffer huge = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        huge.putInt(WeightsCodec.MAGIC).putInt(1).putInt(1);
        huge.putShort((short) 1).put((byte) 'h').put((byte) 3);
        huge.putLong(Integer.MAX_VALUE).putLong(Integer.MAX_VALUE).putLong(Integer.MAX_VALUE);
        huge.putFloat(1f);
        assertThatThrownBy(() -> WeightsCodec.decode(Arrays.copyOf(huge.array(), huge.position())))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("truncated: tensor 'h'");

        // And a billion tensors, a zero dimension, rank 9 and a non-UTF-8 name are refused too
        ByteBuffer many = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        many.putInt(WeightsCodec.MAGIC).putInt(1).putInt(1_000_000_000);
        assertThatThrownBy(() -> WeightsCodec.decode(many.array()))
                .hasMessageContaining("declare 1000000000 tensors");
        assertThatThrownBy(() -> WeightsCodec.decode(header("w".getBytes(), 1, 0L)))
                .hasMessageContaining("tensor 'w' has dimension 0");
        assertThatThrownBy(() -> WeightsCodec.decode(header("w".getBytes(), 9, 1L)))
                .hasMessageContaining("rank 9");
        assertThatThrownBy(() -> WeightsCodec.decode(header(new byte[] {(byte) 0xC3}, 1, 1L)))
                .hasMessageContaining("name that is not UTF-8");
    }

    private static byte[] header(byte[] name, int rank, long dim) {
        ByteBuffer buffer = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(WeightsCodec.MAGIC).putInt(1).putInt(1);
        buffer.putShort((short) name.length).put(name).put((byte) rank);
        for (int i = 0; i < Math.min(rank, 8); i++) {
            buffer.putLong(dim);
        }
        buffer.putFloat(1f);
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    @Test
    void shouldRejectTwoTensorsWithOneName() {
        // Given an encoding whose second tensor repeats the first one's name
        byte[] one =
                WeightsCodec.encode(
                        new ModelWeights(
                                List.of(new NamedTensor("w", new long[] {1}, new float[] {1f}))));
        int tensorBytes = one.length - 12;
        ByteBuffer twice = ByteBuffer.allocate(12 + 2 * tensorBytes).order(ByteOrder.LITTLE_ENDIAN);
        twice.putInt(WeightsCodec.MAGIC).putInt(1).putInt(2);
        twice.put(one, 12, tensorBytes).put(one, 12, tensorBytes);

        // When decoded, then it is refused naming the tensor
        assertThatThrownBy(() -> WeightsCodec.decode(twice.array()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("name tensor 'w' twice");
    }

    @Test
    void shouldRejectWeightsThatDoNotFitTheModel() {
        // Given the model's layout
        ModelWeights layout = sample();

        // When weights with a wrong shape, a missing and an unknown parameter are decoded against
        // it
        ModelWeights wrongShape =
                new ModelWeights(
                        List.of(
                                new NamedTensor("a_weight", new long[] {3, 2}, new float[6]),
                                new NamedTensor("a_bias", new long[] {3}, new float[3])));
        ModelWeights missing =
                new ModelWeights(
                        List.of(new NamedTensor("a_weight", new long[] {2, 3}, new float[6])));
        ModelWeights unknown =
                new ModelWeights(
                        List.of(
                                new NamedTensor("a_weight", new long[] {2, 3}, new float[6]),
                                new NamedTensor("a_bias", new long[] {3}, new float[3]),
                                new NamedTensor("extra", new long[] {1}, new float[1])));

        // Then each is refused naming the parameter
        assertThatThrownBy(() -> WeightsCodec.decode(WeightsCodec.encode(wrongShape), layout))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("'a_weight' has shape [3, 2], expected [2, 3]");
        assertThatThrownBy(() -> WeightsCodec.decode(WeightsCodec.encode(missing), layout))
                .hasMessageContaining("lacks parameter 'a_bias'");
        assertThatThrownBy(() -> WeightsCodec.decode(WeightsCodec.encode(unknown), layout))
                .hasMessageContaining("unknown parameter 'extra'");
    }
}
