package io.emeth.schemas.registry;

import java.util.List;

/**
 * The answer of a compatibility test: whether a schema may be registered under a subject, and if
 * not, each incompatibility Avro found.
 */
public record CompatibilityCheck(boolean compatible, List<String> messages) {
    public CompatibilityCheck {
        messages = List.copyOf(messages);
    }

    public static CompatibilityCheck ok() {
        return new CompatibilityCheck(true, List.of());
    }

    public static CompatibilityCheck of(List<String> incompatibilities) {
        return new CompatibilityCheck(incompatibilities.isEmpty(), incompatibilities);
    }
}
