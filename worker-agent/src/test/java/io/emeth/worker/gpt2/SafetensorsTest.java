package io.emeth.worker.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.worker.weights.NamedTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir Path dir;

    @Test
    void shouldReadBackWhatItWroteBitForBit() throws Exception {
        Path file = dir.resolve("m.safetensors");
        NamedTensor a =
                new NamedTensor(
                        "a",
                        new long[] {2, 3},
                        new float[] {1, -2, 3.5f, 0, 1e-30f, Float.MAX_VALUE});
        NamedTensor b = new NamedTensor("b.bias", new long[] {1}, new float[] {-0f});
        Safetensors.write(file, List.of(a, b));

        Map<String, NamedTensor> read = Safetensors.read(file, n -> true);

        assertThat(read.keySet()).containsExactly("a", "b.bias");
        assertThat(read.get("a")).isEqualTo(a);
        assertThat(read.get("b.bias")).isEqualTo(b);
        assertThat((Files.size(file) - 8 - 4 * 7) % 8).isZero(); // header padded to 8 bytes
    }

    @Test
    void shouldConvertF16AndBf16ToFloat32() throws Exception {
        // 1.0, -2.0, 0.5 in half precision; 1.0, -2.0, 0.5 in bfloat16
        byte[] data = new byte[12];
        System.arraycopy(
                SafetensorsFiles.shorts((short) 0x3C00, (short) 0xC000, (short) 0x3800),
                0,
                data,
                0,
                6);
        System.arraycopy(
                SafetensorsFiles.shorts((short) 0x3F80, (short) 0xC000, (short) 0x3F00),
                0,
                data,
                6,
                6);
        Path file =
                SafetensorsFiles.write(
                        dir.resolve("h.safetensors"),
                        "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[6,12]}}",
                        data);

        Map<String, NamedTensor> read = Safetensors.read(file, n -> true);

        assertThat(read.get("h").data()).containsExactly(1f, -2f, 0.5f);
        assertThat(read.get("b").data()).containsExactly(1f, -2f, 0.5f);
    }

    @Test
    void shouldConvertHalfPrecisionSpecialValues() {
        assertThat(Safetensors.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Safetensors.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Safetensors.halfToFloat((short) 0x8000)).isEqualTo(-0f);
        assertThat(Safetensors.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(Float.isNaN(Safetensors.halfToFloat((short) 0x7E00))).isTrue();
    }

    @Test
    void shouldRefuseAnUnknownDtypeNamingFileAndTensor() throws Exception {
        Path file =
                SafetensorsFiles.write(
                        dir.resolve("i.safetensors"),
                        "{\"wte.weight\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                        new byte[8]);

        assertThatThrownBy(() -> Safetensors.read(file, n -> true))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("'wte.weight'")
                .hasMessageContaining("dtype 'I64'");
    }

    @Test
    void shouldRefuseABadHeader() throws Exception {
        Path notJson =
                SafetensorsFiles.write(dir.resolve("j.safetensors"), "{not json", new byte[0]);
        Path tooLong = dir.resolve("k.safetensors");
        Files.write(tooLong, new byte[] {(byte) 0xff, 0x7f, 0, 0, 0, 0, 0, 0, '{', '}'});

        assertThatThrownBy(() -> Safetensors.read(notJson, n -> true))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining(notJson.toString())
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> Safetensors.read(tooLong, n -> true))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining("declares a header of 32767 bytes");
    }

    @Test
    void shouldRefuseOffsetsThatDoNotMatchTheShapeOrTheFile() throws Exception {
        Path wrongSize =
                SafetensorsFiles.write(
                        dir.resolve("s.safetensors"),
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                        SafetensorsFiles.floats(1, 2));
        Path truncated =
                SafetensorsFiles.write(
                        dir.resolve("t.safetensors"),
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                        SafetensorsFiles.floats(1, 2));

        assertThatThrownBy(() -> Safetensors.read(wrongSize, n -> true))
                .hasMessageContaining(
                        "tensor 'x' has shape [3] of F32 (12 bytes) but 8 data bytes");
        assertThatThrownBy(() -> Safetensors.read(truncated, n -> true))
                .hasMessageContaining(
                        "tensor 'x' has data_offsets [0, 16] outside the 8 data bytes");
    }

    @Test
    void shouldSkipTensorsNotWantedWithoutCheckingTheirDtype() throws Exception {
        Path file =
                SafetensorsFiles.write(
                        dir.resolve("u.safetensors"),
                        "{\"__metadata__\":{\"format\":\"pt\"},"
                                + "\"h.0.attn.bias\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        SafetensorsFiles.floats(0, 7));

        Map<String, NamedTensor> read = Safetensors.read(file, n -> !n.endsWith("attn.bias"));

        assertThat(read.keySet()).containsExactly("x");
        assertThat(read.get("x").data()).containsExactly(7f);
    }
}
