package io.emeth.deploy.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A random-initialised GPT-2 checkpoint in Hugging Face's {@code model.safetensors} layout, for the
 * dev models: tensor names as in the hub's {@code gpt2} files (no {@code transformer.} prefix, LM
 * head tied to {@code wte}), Conv1D weights stored {@code [in, out]}, fp32 little-endian, GPT-2's
 * initialisation (normal 0.02, residual projections scaled by 1/√(2·layers), LayerNorm 1/0).
 *
 * <p>Stand-in until the worker's own writer (issue 11, package {@code io.emeth.worker.gpt2}) is
 * merged; {@link DevModels} calls it from one marked place.
 */
final class RandomGpt2Weights {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RandomGpt2Weights() {}

    /** The shape of a GPT-2 (HF {@code config.json}'s keys). */
    record Shape(int vocabSize, int positions, int embd, int layers, int heads) {}

    private record Tensor(String name, int[] shape, Init init) {
        long elements() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private enum Init {
        NORMAL,
        RESIDUAL,
        ZEROS,
        ONES
    }

    /** Writes {@code file} atomically, deterministic for a seed. */
    static void write(Path file, Shape s, long seed) throws IOException {
        List<Tensor> tensors = tensors(s);
        byte[] header = header(tensors);
        // not createTempFile: that is owner-only, and a model directory is read by other users
        Path tmp = file.toAbsolutePath().resolveSibling("." + file.getFileName() + ".tmp");
        try {
            try (FileChannel out =
                    FileChannel.open(
                            tmp,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.WRITE)) {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                out.write(prefix.putLong(header.length).flip());
                out.write(ByteBuffer.wrap(header));
                writeData(out, tensors, 0.02 / Math.sqrt(2.0 * s.layers()), seed);
            }
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The JSON header: each tensor's dtype, shape and byte range, padded to 8 bytes. */
    private static byte[] header(List<Tensor> tensors) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Tensor t : tensors) {
            long bytes = 4 * t.elements();
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", "F32");
            var shape = entry.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        StringBuilder json = new StringBuilder(JSON.writeValueAsString(header));
        while (json.length() % 8 != 0) { // so that the data starts 8-byte aligned
            json.append(' ');
        }
        return json.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void writeData(
            FileChannel out, List<Tensor> tensors, double residualStd, long seed)
            throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors) {
            for (long i = 0; i < t.elements(); i++) {
                if (!buf.hasRemaining()) {
                    out.write(buf.flip());
                    buf.clear();
                }
                buf.putFloat(
                        switch (t.init()) {
                            case NORMAL -> (float) (gaussian(random) * 0.02);
                            case RESIDUAL -> (float) (gaussian(random) * residualStd);
                            case ZEROS -> 0f;
                            case ONES -> 1f;
                        });
            }
        }
        out.write(buf.flip());
    }

    private static List<Tensor> tensors(Shape s) {
        int d = s.embd();
        List<Tensor> t = new ArrayList<>();
        t.add(new Tensor("wte.weight", new int[] {s.vocabSize(), d}, Init.NORMAL));
        t.add(new Tensor("wpe.weight", new int[] {s.positions(), d}, Init.NORMAL));
        for (int i = 0; i < s.layers(); i++) {
            String h = "h." + i + ".";
            t.add(new Tensor(h + "ln_1.weight", new int[] {d}, Init.ONES));
            t.add(new Tensor(h + "ln_1.bias", new int[] {d}, Init.ZEROS));
            t.add(new Tensor(h + "attn.c_attn.weight", new int[] {d, 3 * d}, Init.NORMAL));
            t.add(new Tensor(h + "attn.c_attn.bias", new int[] {3 * d}, Init.ZEROS));
            t.add(new Tensor(h + "attn.c_proj.weight", new int[] {d, d}, Init.RESIDUAL));
            t.add(new Tensor(h + "attn.c_proj.bias", new int[] {d}, Init.ZEROS));
            t.add(new Tensor(h + "ln_2.weight", new int[] {d}, Init.ONES));
            t.add(new Tensor(h + "ln_2.bias", new int[] {d}, Init.ZEROS));
            t.add(new Tensor(h + "mlp.c_fc.weight", new int[] {d, 4 * d}, Init.NORMAL));
            t.add(new Tensor(h + "mlp.c_fc.bias", new int[] {4 * d}, Init.ZEROS));
            t.add(new Tensor(h + "mlp.c_proj.weight", new int[] {4 * d, d}, Init.RESIDUAL));
            t.add(new Tensor(h + "mlp.c_proj.bias", new int[] {d}, Init.ZEROS));
        }
        t.add(new Tensor("ln_f.weight", new int[] {d}, Init.ONES));
        t.add(new Tensor("ln_f.bias", new int[] {d}, Init.ZEROS));
        return t;
    }

    /** A standard normal sample (Box–Muller; SplittableRandom has no nextGaussian on Java 17). */
    private static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
