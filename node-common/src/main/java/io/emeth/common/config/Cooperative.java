package io.emeth.common.config;

import java.util.Locale;

/**
 * How a master pools its workers for one job ({@code cooperative} in {@code config/master.json}):
 * {@code nvm} takes the strongest free workers until their summed power capacity reaches the job's
 * need; {@code 1v1} takes the single strongest worker, which must reach it alone.
 */
public enum Cooperative {
    NVM("nvm"),
    ONE_V_ONE("1v1");

    private final String configValue;

    Cooperative(String configValue) {
        this.configValue = configValue;
    }

    /** The spelling in the config file. */
    public String configValue() {
        return configValue;
    }

    /**
     * Parses {@code nvm} or {@code 1v1} (case-insensitive).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Cooperative parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (Cooperative c : values()) {
            if (c.configValue.equals(v)) {
                return c;
            }
        }
        throw new IllegalArgumentException("must be \"nvm\" or \"1v1\", got '" + value + "'");
    }
}
