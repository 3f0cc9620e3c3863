package io.emeth.common.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Masking of secret values in {@code toString}s, so a config can be logged whole. */
final class Secrets {
    static final String MASK = "****";

    private Secrets() {}

    /** Whether a property name looks like it holds a secret (Kafka SASL/TLS settings). */
    static boolean isSecretName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password")
                || n.contains("secret")
                || n.contains("jaas")
                || n.contains("token")
                || n.contains("credential")
                || n.endsWith(".key");
    }

    static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> out.put(k, isSecretName(k) ? MASK : v));
        return out;
    }
}
