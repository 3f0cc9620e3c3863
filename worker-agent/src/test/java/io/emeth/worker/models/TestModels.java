package io.emeth.worker.models;

import io.emeth.worker.gpt2.Gpt2Config;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.tokens.ByteLevelBpe;
import io.emeth.worker.tokens.DevTokenizers;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Model directories for tests: the dev Japanese tokenizer and a random 1-layer × 8 GPT-2 of its
 * vocabulary ({@code config.json}, {@code model.safetensors}): what the worker checks at start.
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
        Gpt2Model.writeRandom(dir, Gpt2Config.of(1, 8, 2, bpe.size(), 16), 1);
        return dir;
    }
}
