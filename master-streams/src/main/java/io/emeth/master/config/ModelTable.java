package io.emeth.master.config;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which pretrained checkpoint a job fine-tunes ({@code models} in {@code config/master.json}):
 * program id → the job's {@code param.language} → a model name, the directory a worker keeps the
 * checkpoint under in its {@code models_dir} and advertises in its registration. A job is matched
 * only to workers that hold its model; its {@code TrainingAssigned} names it.
 *
 * <p>Default, as the original node: program 0, {@code en} → {@code gpt2-medium}, {@code ja} →
 * {@code japanese-gpt2-medium}. A {@code models} key in the file replaces the whole table.
 */
public record ModelTable(Map<Long, Map<String, String>> byProgram) {
    /** A model name is a directory name: no separators, not {@code .} or {@code ..}. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public static final ModelTable DEFAULTS =
            new ModelTable(Map.of(0L, Map.of("en", "gpt2-medium", "ja", "japanese-gpt2-medium")));

    public ModelTable {
        Objects.requireNonNull(byProgram, "byProgram");
        Map<Long, Map<String, String>> copy = new TreeMap<>();
        byProgram.forEach((program, languages) -> copy.put(program, Map.copyOf(languages)));
        byProgram = Map.copyOf(copy);
    }

    /** The model of a job of {@code programId} in {@code language}, or null when none is set. */
    public String modelFor(long programId, String language) {
        Map<String, String> languages = byProgram.get(programId);
        return languages == null || language == null ? null : languages.get(language);
    }
}
