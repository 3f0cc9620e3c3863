package io.emeth.worker.gpt2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes safetensors files byte by byte, for tests of what the reader refuses. */
final class SafetensorsFiles {

    private SafetensorsFiles() {}

    /** A file with {@code header} (JSON) followed by {@code data}. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out =
                ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        Files.write(file, out.array());
        return file;
    }

    /** {@code values} as little-endian bytes of 2 bytes each. */
    static byte[] shorts(short... values) {
        ByteBuffer out = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) {
            out.putShort(v);
        }
        return out.array();
    }

    /** {@code values} as little-endian float32 bytes. */
    static byte[] floats(float... values) {
        ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putFloat(v);
        }
        return out.array();
    }
}
