package io.emeth.worker.gpt2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import io.emeth.worker.weights.TensorSource;
import io.emeth.worker.weights.WeightsLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads and writes HF's safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to its dtype, shape and byte offsets in the data section, then the raw
 * little-endian tensors.
 *
 * <p>Written by hand because no library on Maven Central reads or writes safetensors from Java
 * (DJL's own loader needs its engine's native code and cannot write); the format is small. Reads
 * F32, F16 and BF16 into float32; writes F32. Every error names the file and, where one is at
 * fault, the tensor.
 */
public final class Safetensors {

    /** Largest header accepted (the format's own limit is 100 MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA = "__metadata__";

    private Safetensors() {}

    /**
     * Reads the tensors of {@code file} whose names {@code wanted} accepts, as float32, in the
     * header's order; other tensors are skipped unread.
     *
     * @throws InvalidCheckpointException naming the file and tensor for a bad header, offsets that
     *     do not fit, or an unknown dtype
     * @throws IOException if the file cannot be read
     */
    public static Map<String, NamedTensor> read(Path file, Predicate<String> wanted)
            throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = header(channel, file);
            Map<String, NamedTensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : header.json().properties()) {
                String name = field.getKey();
                if (name.equals(METADATA) || !wanted.test(name)) {
                    continue;
                }
                Entry entry = entry(file, name, field.getValue(), header.dataLength());
                tensors.put(name, entry.read(channel, header.dataStart(), file, name));
            }
            return tensors;
        }
    }

    /**
     * The shapes of the tensors of {@code file} whose names {@code wanted} accepts, in the header's
     * order, with every check of {@link #read} on the header (dtype, shape, offsets within the
     * file) but no tensor read: a worker checks a 1.4 GB checkpoint at start in milliseconds.
     *
     * @throws InvalidCheckpointException naming the file and tensor
     * @throws IOException if the file cannot be read
     */
    public static Map<String, long[]> shapes(Path file, Predicate<String> wanted)
            throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = header(channel, file);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : header.json().properties()) {
                String name = field.getKey();
                if (!name.equals(METADATA) && wanted.test(name)) {
                    shapes.put(
                            name, entry(file, name, field.getValue(), header.dataLength()).shape());
                }
            }
            return shapes;
        }
    }

    /** The parsed JSON header and where the data section lies. */
    private record Header(JsonNode json, long dataStart, long dataLength) {}

    private static Header header(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw bad(file, "has " + size + " bytes, fewer than the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
            throw bad(
                    file,
                    "declares a header of "
                            + headerLength
                            + " bytes in a file of "
                            + size
                            + " (not a safetensors file?)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw bad(file, "has a header that is not JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw bad(file, "has a header that is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        return new Header(header, dataStart, size - dataStart);
    }

    /** Writes {@code tensors} as F32 in the given order, with {@code "format": "pt"} metadata. */
    public static void write(Path file, List<NamedTensor> tensors) throws IOException {
        write(file, new ModelWeights(tensors));
    }

    /**
     * Writes the tensors {@code source} hands out as F32 in its order, reading one tensor at a time
     * (a model in a file is never whole on the heap).
     */
    public static void write(Path file, TensorSource source) throws IOException {
        WeightsLayout layout = source.layout();
        ObjectNode header = JSON.createObjectNode();
        header.putObject(METADATA).put("format", "pt");
        long offset = 0;
        for (WeightsLayout.Entry tensor : layout.entries()) {
            ObjectNode entry = header.putObject(tensor.name());
            entry.put("dtype", "F32");
            var shape = entry.putArray("shape");
            Arrays.stream(tensor.shape()).forEach(shape::add);
            long end = offset + 4L * tensor.elements();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // HF pads the header with spaces to 8 bytes
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (FileChannel out =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            writeFully(out, head.flip());
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int t = 0; t < layout.size(); t++) {
                float[] data = source.read(t);
                for (int i = 0; i < data.length; ) {
                    int n = Math.min(chunk.capacity() / 4, data.length - i);
                    chunk.clear();
                    chunk.asFloatBuffer().put(data, i, n);
                    chunk.limit(4 * n);
                    writeFully(out, chunk);
                    i += n;
                }
            }
        }
    }

    private record Entry(String dtype, long[] shape, long begin, long end) {
        NamedTensor read(FileChannel channel, long dataStart, Path file, String name)
                throws IOException {
            int count = Math.toIntExact(NamedTensor.elements(shape));
            float[] values = new float[count];
            ByteBuffer bytes =
                    channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin)
                            .order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case "F32" -> {
                    FloatBuffer floats = bytes.asFloatBuffer();
                    floats.get(values);
                }
                case "F16" -> {
                    for (int i = 0; i < count; i++) {
                        values[i] = halfToFloat(bytes.getShort(2 * i));
                    }
                }
                case "BF16" -> {
                    for (int i = 0; i < count; i++) {
                        values[i] = Float.intBitsToFloat((bytes.getShort(2 * i) & 0xFFFF) << 16);
                    }
                }
                default -> throw bad(file, "tensor '" + name + "' has dtype " + dtype);
            }
            return new NamedTensor(name, shape, values);
        }
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataLength) {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw bad(file, where + " has a header entry that is not an object");
        }
        String dtype = node.path("dtype").asText("");
        int width =
                switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    default ->
                            throw bad(
                                    file,
                                    where
                                            + " has dtype '"
                                            + dtype
                                            + "'; supported are F32, F16 and BF16");
                };
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw bad(file, where + " lacks a shape array or a [begin, end] data_offsets pair");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!dim.isIntegralNumber() || dim.asLong() < 0 || dim.asLong() > Integer.MAX_VALUE) {
                throw bad(file, where + " has a bad dimension " + dim + " in its shape");
            }
            shape[i] = dim.asLong();
            elements *= shape[i];
            if (elements > Integer.MAX_VALUE) {
                throw bad(file, where + " has more than 2^31 values");
            }
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLength) {
            throw bad(
                    file,
                    where
                            + " has data_offsets ["
                            + begin
                            + ", "
                            + end
                            + "] outside the "
                            + dataLength
                            + " data bytes (truncated file?)");
        }
        if (end - begin != elements * width) {
            throw bad(
                    file,
                    where
                            + " has shape "
                            + Arrays.toString(shape)
                            + " of "
                            + dtype
                            + " ("
                            + elements * width
                            + " bytes) but "
                            + (end - begin)
                            + " data bytes");
        }
        return new Entry(dtype, shape, begin, end);
    }

    /** IEEE 754 half precision to float (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f; // zero or subnormal
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
            throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static InvalidCheckpointException bad(Path file, String problem) {
        return new InvalidCheckpointException(file + " " + problem);
    }
}
