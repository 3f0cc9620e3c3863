package io.emeth.worker.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte format of model weights that workers upload, hash and download (format version 1).
 *
 * <p>Every number is little-endian:
 *
 * <pre>
 * magic        4 bytes  ASCII "EMWT"
 * version      uint32   1
 * count        uint32   number of tensors, 1..65536
 * count times, in the model's parameter order:
 *   nameLength uint16   1..1024
 *   name       nameLength bytes of UTF-8
 *   rank       uint8    1..8
 *   dims       rank × int64, each ≥ 1
 *   data       product(dims) × float32 (IEEE 754 bits as stored, row-major)
 * </pre>
 *
 * Nothing follows the last tensor. The encoding has no free choices (no padding, no timestamps, raw
 * float bits), so equal weights always give equal bytes and therefore equal sha256 — the property
 * the claim check on {@code ShardTrained} and the hash chain rely on.
 */
public final class WeightsCodec {

    /** The magic bytes "EMWT". */
    public static final int MAGIC = 0x54574D45; // "EMWT" read as a little-endian int

    public static final int VERSION = 1;
    public static final int MAX_TENSORS = 65_536;
    public static final int MAX_NAME_BYTES = 1024;
    public static final int MAX_RANK = 8;

    private WeightsCodec() {}

    /** Encodes the weights {@code source} hands out (small ones: the encoding is one array). */
    public static byte[] encode(TensorSource source) throws IOException {
        WeightsLayout layout = source.layout();
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) checkedSize(layout));
        writeTensors(source, layout, out);
        return out.toByteArray();
    }

    /** Encodes weights as format version 1. */
    public static byte[] encode(ModelWeights weights) {
        try {
            return encode((TensorSource) weights);
        } catch (IOException e) {
            throw new UncheckedIOException("weights in memory cannot fail to read", e);
        }
    }

    /**
     * Writes the bytes of {@link #encode} to {@code out} one tensor at a time, holding at most a 64
     * KiB buffer: a 355M-parameter model is 1.4 GB, and a job should not hold it twice.
     */
    public static void write(ModelWeights weights, OutputStream out) throws IOException {
        write((TensorSource) weights, out);
    }

    /**
     * Writes the encoding of the tensors {@code source} hands out, reading one tensor at a time (a
     * live model or a weights file never has a second copy of itself on the heap).
     */
    public static void write(TensorSource source, OutputStream out) throws IOException {
        WeightsLayout layout = source.layout();
        checkedSize(layout);
        writeTensors(source, layout, out);
    }

    /**
     * The length of the encoding of weights with {@code layout}.
     *
     * @throws InvalidWeightsException if it exceeds what one byte array (and a decoder) holds
     */
    private static long checkedSize(WeightsLayout layout) {
        long size = encodedSize(layout);
        if (size > Integer.MAX_VALUE - 8) {
            throw new InvalidWeightsException("weights of " + size + " bytes exceed 2 GiB");
        }
        return size;
    }

    /** The encoding of {@code source}, whose size {@link #checkedSize} accepted. */
    private static void writeTensors(TensorSource source, WeightsLayout layout, OutputStream out)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(VERSION).putInt(layout.size());
        for (int t = 0; t < layout.size(); t++) {
            WeightsLayout.Entry tensor = layout.get(t);
            byte[] name = tensor.name().getBytes(StandardCharsets.UTF_8);
            flush(buffer, out, 2 + name.length + 1 + 8 * tensor.shape().length);
            buffer.putShort((short) name.length).put(name);
            buffer.put((byte) tensor.shape().length);
            for (long dim : tensor.shape()) {
                buffer.putLong(dim);
            }
            float[] data = source.read(t);
            if (data.length != tensor.elements()) {
                throw new IllegalStateException(
                        "tensor '"
                                + tensor.name()
                                + "' has "
                                + data.length
                                + " values, its shape "
                                + Arrays.toString(tensor.shape())
                                + " says "
                                + tensor.elements());
            }
            for (int i = 0; i < data.length; ) {
                flush(buffer, out, 4);
                int n = Math.min(data.length - i, buffer.remaining() / 4);
                buffer.asFloatBuffer().put(data, i, n);
                buffer.position(buffer.position() + 4 * n);
                i += n;
            }
        }
        out.write(buffer.array(), 0, buffer.position());
    }

    /** Empties {@code buffer} into {@code out} unless it has {@code needed} bytes left. */
    private static void flush(ByteBuffer buffer, OutputStream out, int needed) throws IOException {
        if (buffer.remaining() < needed) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    /**
     * The length of the encoding of {@code weights}.
     *
     * @throws InvalidWeightsException for a name or rank the format cannot hold
     */
    public static long encodedSize(ModelWeights weights) {
        return encodedSize(weights.layout());
    }

    /** The length of the encoding of weights with {@code layout}. */
    public static long encodedSize(WeightsLayout layout) {
        long size = 12;
        for (WeightsLayout.Entry tensor : layout.entries()) {
            byte[] name = tensor.name().getBytes(StandardCharsets.UTF_8);
            if (name.length == 0 || name.length > MAX_NAME_BYTES) {
                throw new InvalidWeightsException(
                        "tensor name '"
                                + tensor.name()
                                + "' must be 1.."
                                + MAX_NAME_BYTES
                                + " bytes");
            }
            if (tensor.shape().length == 0 || tensor.shape().length > MAX_RANK) {
                throw new InvalidWeightsException(
                        "tensor '" + tensor.name() + "' must have rank 1.." + MAX_RANK);
            }
            size += 2 + name.length + 1 + 8L * tensor.shape().length + 4L * tensor.elements();
        }
        return size;
    }

    /** sha256 of the encoding of {@code weights}. */
    public static byte[] sha256(ModelWeights weights) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            write(weights, new DigestOutputStream(OutputStream.nullOutputStream(), digest));
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        } catch (IOException e) {
            throw new UncheckedIOException("a null stream cannot fail", e);
        }
    }

    /** sha256 of bytes. */
    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    /**
     * Decodes format version 1 and checks it against the layout the model expects.
     *
     * @throws InvalidWeightsException naming what is wrong and where
     */
    public static ModelWeights decode(byte[] bytes, ModelWeights expectedLayout) {
        ModelWeights weights = decode(bytes);
        try {
            expectedLayout.requireSameLayout(weights, "weights");
        } catch (IllegalArgumentException e) {
            throw new InvalidWeightsException(e.getMessage());
        }
        return weights;
    }

    /**
     * Decodes format version 1.
     *
     * @throws InvalidWeightsException naming what is wrong and at which byte offset
     */
    public static ModelWeights decode(byte[] bytes) {
        try {
            return decode(
                    Channels.newChannel(new java.io.ByteArrayInputStream(bytes)), bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException("a byte array cannot fail", e);
        }
    }

    /**
     * Decodes the weights file {@code file} as it reads it, 64 KiB at a time, and checks them
     * against {@code expectedLayout}: only the decoded weights are held, never the file's bytes.
     *
     * @throws InvalidWeightsException naming what is wrong and at which byte offset
     */
    public static ModelWeights decode(Path file, ModelWeights expectedLayout) throws IOException {
        ModelWeights weights;
        try (FileChannel channel = FileChannel.open(file)) {
            weights = decode(channel, channel.size());
        }
        try {
            expectedLayout.requireSameLayout(weights, "weights");
        } catch (IllegalArgumentException e) {
            throw new InvalidWeightsException(e.getMessage());
        }
        return weights;
    }

    /**
     * Reads the tensor headers of the weights file {@code file} with every check of {@link
     * #decode(Path, ModelWeights)} except the values' (skipped, not read) and answers where each
     * tensor's values lie: the file stays the weights, read back one tensor at a time.
     *
     * @throws InvalidWeightsException naming what is wrong and at which byte offset
     */
    public static WeightsFile index(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            List<WeightsLayout.Entry> entries = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            read(
                    channel,
                    channel.size(),
                    (tensor, offset) -> {
                        entries.add(new WeightsLayout.Entry(tensor.name(), tensor.shape()));
                        offsets.add(offset);
                    });
            long[] at = new long[offsets.size()];
            for (int i = 0; i < at.length; i++) {
                at[i] = offsets.get(i);
            }
            return new WeightsFile(file, new WeightsLayout(entries), at);
        }
    }

    /** What the header scan hands on: a tensor without values and where its values start. */
    private interface Indexed {
        void add(WeightsLayout.Entry tensor, long valuesOffset);
    }

    private static ModelWeights decode(ReadableByteChannel channel, long size) throws IOException {
        return read(channel, size, null);
    }

    /** Decodes (index null) or indexes the encoding in {@code channel}. */
    private static ModelWeights read(ReadableByteChannel channel, long size, Indexed index)
            throws IOException {
        Input in = new Input(channel, size);
        try {
            if (size < 12 || in.getInt() != MAGIC) {
                throw new InvalidWeightsException(
                        "weights do not start with the magic \"EMWT\" (not a weights file)");
            }
            int version = in.getInt();
            if (version != VERSION) {
                throw new InvalidWeightsException(
                        "weights format version " + version + " is not supported (expected 1)");
            }
            int count = in.getInt();
            if (count < 1 || count > MAX_TENSORS) {
                throw new InvalidWeightsException(
                        "weights declare " + count + " tensors; expected 1.." + MAX_TENSORS);
            }
            List<NamedTensor> tensors = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                NamedTensor tensor = readTensor(in, i, index);
                if (tensor != null) {
                    tensors.add(tensor);
                }
            }
            if (in.remaining() > 0) {
                throw new InvalidWeightsException(
                        in.remaining()
                                + " unexpected bytes after the last tensor at offset "
                                + in.position());
            }
            return index == null ? new ModelWeights(tensors) : null;
        } catch (BufferUnderflowException e) {
            throw new InvalidWeightsException(
                    "weights are truncated: " + size + " bytes end inside a tensor header");
        } catch (InvalidWeightsException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidWeightsException(e.getMessage());
        }
    }

    private static NamedTensor readTensor(Input in, int index, Indexed indexed) throws IOException {
        long offset = in.position();
        int nameLength = Short.toUnsignedInt(in.getShort());
        if (nameLength < 1 || nameLength > MAX_NAME_BYTES || nameLength > in.remaining()) {
            throw new InvalidWeightsException(
                    "tensor #"
                            + index
                            + " at offset "
                            + offset
                            + " has a name of "
                            + nameLength
                            + " bytes; expected 1.."
                            + MAX_NAME_BYTES
                            + " within the data");
        }
        byte[] nameBytes = new byte[nameLength];
        in.get(nameBytes);
        String name = utf8(nameBytes, index, offset);
        int rank = Byte.toUnsignedInt(in.get());
        if (rank < 1 || rank > MAX_RANK) {
            throw new InvalidWeightsException(
                    "tensor '" + name + "' has rank " + rank + "; expected 1.." + MAX_RANK);
        }
        long[] shape = new long[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = in.getLong();
            if (shape[d] < 1 || shape[d] > Integer.MAX_VALUE) {
                throw new InvalidWeightsException(
                        "tensor '"
                                + name
                                + "' has dimension "
                                + shape[d]
                                + " in shape "
                                + Arrays.toString(Arrays.copyOf(shape, d + 1)));
            }
            // saturate instead of overflowing: a hostile header may multiply to more than 2^63
            long limit = Long.MAX_VALUE / 8;
            elements = elements > limit / shape[d] ? limit : elements * shape[d];
        }
        if (elements * 4 > in.remaining()) {
            throw new InvalidWeightsException(
                    "weights are truncated: tensor '"
                            + name
                            + "' "
                            + Arrays.toString(shape)
                            + " needs "
                            + elements * 4
                            + " data bytes, "
                            + in.remaining()
                            + " remain at offset "
                            + in.position());
        }
        if (indexed != null) {
            if (elements > Integer.MAX_VALUE) {
                throw new InvalidWeightsException(
                        "tensor '" + name + "' has more than 2^31 values");
            }
            indexed.add(new WeightsLayout.Entry(name, shape), in.position());
            in.skip(elements * 4);
            return null;
        }
        float[] data = new float[(int) elements];
        in.getFloats(data);
        return new NamedTensor(name, shape, data);
    }

    /**
     * Little-endian reads from a channel of known size through one 64 KiB buffer; reading past the
     * size throws {@link BufferUnderflowException}, as a {@link ByteBuffer} would.
     */
    private static final class Input {
        private final ReadableByteChannel channel;
        private final long size;
        private final ByteBuffer buffer =
                ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN).limit(0);
        private long consumed; // bytes read from the channel into the buffer so far

        Input(ReadableByteChannel channel, long size) {
            this.channel = channel;
            this.size = size;
        }

        long position() {
            return consumed - buffer.remaining();
        }

        long remaining() {
            return size - position();
        }

        /** Makes {@code n} (at most the buffer's capacity) bytes available in the buffer. */
        private void need(int n) throws IOException {
            if (buffer.remaining() >= n) {
                return;
            }
            if (remaining() < n) {
                throw new BufferUnderflowException();
            }
            buffer.compact();
            while (buffer.position() < n) {
                int limit =
                        (int) Math.min(buffer.capacity(), buffer.position() + (size - consumed));
                buffer.limit(limit);
                int read = channel.read(buffer);
                if (read < 0) {
                    throw new java.io.EOFException("weights end before their " + size + " bytes");
                }
                consumed += read;
            }
            buffer.flip();
        }

        byte get() throws IOException {
            need(1);
            return buffer.get();
        }

        short getShort() throws IOException {
            need(2);
            return buffer.getShort();
        }

        int getInt() throws IOException {
            need(4);
            return buffer.getInt();
        }

        long getLong() throws IOException {
            need(8);
            return buffer.getLong();
        }

        void get(byte[] out) throws IOException {
            for (int i = 0; i < out.length; ) {
                need(1);
                int n = Math.min(out.length - i, buffer.remaining());
                buffer.get(out, i, n);
                i += n;
            }
        }

        /** Skips {@code n} bytes (at most {@link #remaining()}) without reading them if it can. */
        void skip(long n) throws IOException {
            int inBuffer = (int) Math.min(n, buffer.remaining());
            buffer.position(buffer.position() + inBuffer);
            long rest = n - inBuffer;
            if (rest == 0) {
                return;
            }
            if (channel instanceof java.nio.channels.SeekableByteChannel seekable) {
                seekable.position(seekable.position() + rest);
                consumed += rest;
                return;
            }
            while (rest > 0) {
                int step = (int) Math.min(rest, buffer.capacity());
                need(step);
                buffer.position(buffer.position() + step);
                rest -= step;
            }
        }

        void getFloats(float[] out) throws IOException {
            for (int i = 0; i < out.length; ) {
                need(4);
                int n = Math.min(out.length - i, buffer.remaining() / 4);
                buffer.asFloatBuffer().get(out, i, n);
                buffer.position(buffer.position() + 4 * n);
                i += n;
            }
        }
    }

    private static String utf8(byte[] bytes, int index, long offset) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidWeightsException(
                    "tensor #" + index + " at offset " + offset + " has a name that is not UTF-8");
        }
    }
}
