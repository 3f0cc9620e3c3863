package io.emeth.worker.weights;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Weights that stay in their {@link WeightsCodec} file and are read back one tensor, or one range
 * of a tensor, at a time: a round's start, a shard or a global model of GPT-2 medium is 1.4 GB, and
 * a job holds several of them in a round. Opened by {@link WeightsCodec#index}, which checks the
 * whole format but reads no values. The file must not change while this is in use (the job writes
 * each file once, under a name of its own, before it indexes it).
 */
public final class WeightsFile implements TensorSource {

    /** Values per positional read: 1 MiB. */
    private static final int CHUNK_BYTES = 1 << 20;

    private final Path file;
    private final WeightsLayout layout;
    private final long[] offsets;

    WeightsFile(Path file, WeightsLayout layout, long[] offsets) {
        this.file = file;
        this.layout = layout;
        this.offsets = offsets;
    }

    /** Indexes {@code file} (see {@link WeightsCodec#index}). */
    public static WeightsFile open(Path file) throws IOException {
        return WeightsCodec.index(file);
    }

    /**
     * Indexes {@code file} and checks it has {@code expected}'s names, order and shapes.
     *
     * @throws InvalidWeightsException naming the first tensor that differs
     */
    public static WeightsFile open(Path file, WeightsLayout expected) throws IOException {
        WeightsFile weights = open(file);
        expected.mismatch(weights.layout)
                .ifPresent(
                        m -> {
                            throw new InvalidWeightsException("weights " + m.description());
                        });
        return weights;
    }

    public Path path() {
        return file;
    }

    @Override
    public WeightsLayout layout() {
        return layout;
    }

    @Override
    public float[] read(int index) throws IOException {
        float[] values = new float[Math.toIntExact(layout.get(index).elements())];
        read(index, 0, values, 0, values.length);
        return values;
    }

    /**
     * Reads {@code count} values of tensor {@code index} from value {@code from} on into {@code
     * into} at {@code at}.
     */
    public void read(int index, long from, float[] into, int at, int count) throws IOException {
        long elements = layout.get(index).elements();
        if (from < 0 || count < 0 || from + count > elements) {
            throw new IndexOutOfBoundsException(
                    "values " + from + ".." + (from + count) + " of a tensor of " + elements);
        }
        ByteBuffer buffer =
                ByteBuffer.allocate(Math.min(CHUNK_BYTES, Math.max(4, 4 * count)))
                        .order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file)) {
            long position = offsets[index] + 4 * from;
            int done = 0;
            while (done < count) {
                buffer.clear();
                buffer.limit(Math.min(buffer.capacity(), 4 * (count - done)));
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, position + buffer.position());
                    if (n < 0) {
                        throw new EOFException(file + " ended inside tensor " + index);
                    }
                }
                buffer.flip();
                int n = buffer.remaining() / 4;
                buffer.asFloatBuffer().get(into, at + done, n);
                position += 4L * n;
                done += n;
            }
        }
    }

    /** Every tensor read into memory. */
    public ModelWeights readAll() throws IOException {
        List<NamedTensor> tensors = new ArrayList<>(layout.size());
        for (int i = 0; i < layout.size(); i++) {
            WeightsLayout.Entry e = layout.get(i);
            tensors.add(new NamedTensor(e.name(), e.shape(), read(i)));
        }
        return new ModelWeights(tensors);
    }

    @Override
    public String toString() {
        return "WeightsFile[" + file + ", " + layout + "]";
    }
}
