package io.emeth.schemas.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The compatibility levels of the Confluent Schema Registry: which earlier versions of a subject a
 * new schema is checked against, and in which direction.
 *
 * <p>BACKWARD (the default): the new schema can read data written with the latest version, so
 * consumers upgrade first. FORWARD: the latest version can read data written with the new one.
 * FULL: both. The {@code _TRANSITIVE} forms check every earlier version instead of the latest.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** The new schema must read data written with the earlier ones. */
    public boolean backward() {
        return backward;
    }

    /** The earlier schemas must read data written with the new one. */
    public boolean forward() {
        return forward;
    }

    /** Checked against every earlier version, not only the latest. */
    public boolean transitive() {
        return transitive;
    }

    /**
     * Parses a level as the REST API spells it, ignoring case.
     *
     * @throws IllegalArgumentException naming the bad value and the valid ones
     */
    public static CompatibilityLevel parse(String value) {
        if (value != null) {
            String upper = value.trim().toUpperCase(Locale.ROOT);
            for (CompatibilityLevel level : values()) {
                if (level.name().equals(upper)) {
                    return level;
                }
            }
        }
        throw new IllegalArgumentException(
                "invalid compatibility level '"
                        + value
                        + "'; valid levels are "
                        + Arrays.stream(values())
                                .map(Enum::name)
                                .collect(Collectors.joining(", ")));
    }
}
