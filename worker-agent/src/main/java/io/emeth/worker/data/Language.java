package io.emeth.worker.data;

import java.util.Locale;

/**
 * The {@code language} of a job's {@code param} JSON, which decides how the data set is cut into
 * units and how much of it is held out for validation (as the original node did).
 */
public enum Language {
    /** English: split on sentences, about 7 % held out. */
    EN("en", 0.07, true),
    /** Japanese: split on lines, about 10 % held out. */
    JA("ja", 0.10, false);

    /** Where the value comes from, for errors. */
    public static final String KEY = "param.language";

    private final String code;
    private final double validationFraction;
    private final boolean sentences;

    Language(String code, double validationFraction, boolean sentences) {
        this.code = code;
        this.validationFraction = validationFraction;
        this.sentences = sentences;
    }

    /**
     * The language of a {@code param.language} value.
     *
     * @throws InvalidDatasetException naming the key and the accepted values
     */
    public static Language fromParam(String value) {
        if (value != null) {
            for (Language language : values()) {
                if (language.code.equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return language;
                }
            }
        }
        String shown =
                value == null
                        ? "missing"
                        : "'" + (value.length() > 20 ? value.substring(0, 20) + "…" : value) + "'";
        throw new InvalidDatasetException(KEY + " is " + shown + "; accepted values: en, ja");
    }

    /** The code used in {@code param}, {@code en} or {@code ja}. */
    public String code() {
        return code;
    }

    /** Share of units held out for validation. */
    public double validationFraction() {
        return validationFraction;
    }

    /** Whether units are sentences (else lines). */
    public boolean splitsSentences() {
        return sentences;
    }
}
