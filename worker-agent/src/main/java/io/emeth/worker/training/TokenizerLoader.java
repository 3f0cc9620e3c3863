package io.emeth.worker.training;

import java.io.IOException;
import java.nio.file.Path;

/** Loads the tokenizer of a model directory (its {@code tokenizer.json}). */
@FunctionalInterface
public interface TokenizerLoader {

    /** The tokenizer file in a model directory. */
    String FILE = "tokenizer.json";

    /**
     * @throws IOException if the directory's tokenizer cannot be read or is not valid
     */
    TokenEncoder load(Path modelDir) throws IOException;

    /** A loader for a worker without one: every load fails naming what is missing. */
    TokenizerLoader NONE =
            dir -> {
                throw new IOException(
                        "this worker has no tokenizer loader configured for " + dir.resolve(FILE));
            };
}
