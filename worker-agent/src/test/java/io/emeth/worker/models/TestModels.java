package io.emeth.worker.models;

import io.emeth.worker.tokens.ByteLevelBpe;
import io.emeth.worker.tokens.DevTokenizers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Model directories for tests: the dev Japanese tokenizer, a {@code config.json} with its
 * vocabulary size, and a {@code model.safetensors} with an empty header (no tensors: enough for
 * what the worker checks at start, not for training).
 */
public final class TestModels {
    /** Learned once per test JVM: the dev Japanese tokenizer is deterministic. */
    private static final ByteLevelBpe JA = DevTokenizers.japanese();

    private TestModels() {}

    /** Writes a complete model directory {@code modelsDir/name}; returns it. */
    public static Path write(Path modelsDir, String name) throws IOException {
        Path dir = modelsDir.resolve(name);
        ByteLevelBpe bpe = JA;
        bpe.write(dir.resolve(ModelDirectory.TOKENIZER));
        Files.writeString(
                dir.resolve(ModelDirectory.CONFIG),
                "{\"model_type\": \"gpt2\", \"vocab_size\": " + bpe.size() + "}");
        byte[] header = "{}      ".getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header);
        Files.write(dir.resolve(ModelDirectory.WEIGHTS), file.array());
        return dir;
    }
}
