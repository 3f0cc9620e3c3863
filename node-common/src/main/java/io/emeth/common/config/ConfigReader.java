package io.emeth.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoublePredicate;

/**
 * Typed, validated reads of one JSON config object (or a nested object such as {@code timeout}),
 * with environment variables taking precedence over the file. Every error names the source (file or
 * variable) and the dotted key; every key read is remembered so that the rest can be warned about.
 */
final class ConfigReader {
    /** A raw value and where it came from. */
    record Value(JsonNode node, String source) {}

    private final ObjectNode root;
    private final String source;
    private final String prefix;
    private final String role;
    private final Map<String, String> env;
    private final List<String> warnings;
    private final Set<String> known = new LinkedHashSet<>();

    ConfigReader(
            ObjectNode root,
            String source,
            String prefix,
            String role,
            Map<String, String> env,
            List<String> warnings) {
        this.root = root;
        this.source = source;
        this.prefix = prefix;
        this.role = role;
        this.env = env;
        this.warnings = warnings;
    }

    String source() {
        return source;
    }

    /** The value of {@code key}: environment first, then the file; null when absent or empty. */
    Value value(String key) {
        known.add(key);
        String full = prefix + key;
        for (String var : ConfigLoader.envVars(role, full)) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                return new Value(TextNode.valueOf(v.strip()), "environment variable " + var);
            }
        }
        JsonNode node = root.get(key);
        if (node == null || node.isNull() || node.isTextual() && node.asText().isBlank()) {
            return null;
        }
        return new Value(node, source);
    }

    ConfigException error(Value value, String key, String problem) {
        return new ConfigException(value == null ? source : value.source(), prefix + key, problem);
    }

    Optional<String> optString(String key) {
        Value v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.node().isTextual()) {
            throw error(v, key, "expected a string, got " + describe(v.node()));
        }
        return Optional.of(v.node().asText().strip());
    }

    String string(String key, String fallback) {
        return optString(key).orElse(fallback);
    }

    String requiredString(String key, String hint) {
        return optString(key).orElseThrow(() -> error(null, key, "missing (or empty); " + hint));
    }

    long number(String key, long fallback, long min, long max) {
        Value v = value(key);
        if (v == null) {
            return fallback;
        }
        BigInteger n = integer(v, key);
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error(v, key, "must be between " + min + " and " + max + ", got " + n);
        }
        return n.longValueExact();
    }

    int intNumber(String key, int fallback, int min, int max) {
        return (int) number(key, fallback, min, max);
    }

    /**
     * A finite decimal number (a JSON number, or a decimal string such as an environment variable's
     * {@code 5e-5}) for which {@code inRange} holds; {@code NaN} and infinities are refused as not
     * numbers.
     *
     * @param range the accepted values in words, for the error, e.g. {@code "in (0, 1]"}
     */
    double decimal(String key, double fallback, DoublePredicate inRange, String range) {
        Value v = value(key);
        if (v == null) {
            return fallback;
        }
        JsonNode n = v.node();
        double d;
        if (n.isNumber()) {
            d = n.doubleValue();
        } else if (n.isTextual()) {
            String text = n.asText().strip().replace("_", "");
            if (text.length() > 100) {
                throw error(v, key, "not a number: a " + text.length() + "-character string");
            }
            try {
                d = new BigDecimal(text).doubleValue(); // BigDecimal refuses NaN and Infinity
            } catch (NumberFormatException e) {
                throw error(v, key, "not a number: '" + abbreviate(n.asText()) + "'");
            }
        } else {
            throw error(v, key, "expected a number, got " + describe(n));
        }
        if (!Double.isFinite(d) || !inRange.test(d)) {
            throw error(v, key, "must be " + range + ", got " + abbreviate(n.asText()));
        }
        return d;
    }

    /** A JSON boolean, or the string {@code true} or {@code false} (environment variables). */
    boolean bool(String key, boolean fallback) {
        Value v = value(key);
        if (v == null) {
            return fallback;
        }
        JsonNode n = v.node();
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        String text = n.isTextual() ? n.asText().strip().toLowerCase(Locale.ROOT) : "";
        if (text.equals("true") || text.equals("false")) {
            return text.equals("true");
        }
        throw error(v, key, "expected true or false, got " + describe(n));
    }

    /** A whole, non-negative amount of wei, as a JSON number or a decimal string. */
    Optional<BigInteger> wei(String key) {
        Value v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        BigInteger n = integer(v, key);
        if (n.signum() < 0) {
            throw error(v, key, "must not be negative, got " + n);
        }
        return Optional.of(n);
    }

    private BigInteger integer(Value v, String key) {
        JsonNode n = v.node();
        BigDecimal d;
        if (n.isNumber()) {
            d = n.decimalValue();
        } else if (n.isTextual()) {
            String text = n.asText().strip().replace("_", "");
            if (text.length() > 100) {
                throw error(v, key, "not a number: a " + text.length() + "-character string");
            }
            try {
                d = new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw error(v, key, "not a number: '" + n.asText() + "'");
            }
        } else {
            throw error(v, key, "expected a number, got " + describe(n));
        }
        try {
            if (d.scale() > 0 && d.stripTrailingZeros().scale() > 0) {
                throw error(v, key, "must be a whole number, got " + d.toPlainString());
            }
            if (d.precision() - d.scale() > 80) {
                throw error(v, key, "number is out of range: " + abbreviate(d.toString()));
            }
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw error(v, key, "must be a whole number, got " + abbreviate(d.toString()));
        }
    }

    Optional<URI> optUri(String key, Set<String> schemes) {
        Value v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.node().isTextual()) {
            throw error(v, key, "expected a URL string, got " + describe(v.node()));
        }
        String text = v.node().asText().strip();
        String hint = "expected a " + String.join("/", schemes) + " URL";
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!schemes.contains(scheme)) {
                throw error(v, key, hint + ", got '" + abbreviate(text) + "'");
            }
            if (uri.getHost() == null || uri.getHost().isBlank()) {
                throw error(v, key, "URL has no host: '" + abbreviate(text) + "'");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw error(v, key, "not a URL (" + e.getReason() + "): '" + abbreviate(text) + "'");
        }
    }

    URI uri(String key, URI fallback, Set<String> schemes) {
        return optUri(key, schemes).orElse(fallback);
    }

    /** A list of strings: a JSON array, or a comma-separated string (handy in env variables). */
    Optional<List<String>> optStringList(String key) {
        Value v = value(key);
        if (v == null) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        if (v.node().isArray()) {
            for (JsonNode item : v.node()) {
                if (!item.isTextual()) {
                    throw error(v, key, "expected strings in the list, got " + describe(item));
                }
                out.add(item.asText().strip());
            }
        } else if (v.node().isTextual()) {
            for (String part : v.node().asText().split(",")) {
                out.add(part.strip());
            }
        } else {
            throw error(v, key, "expected a list of strings, got " + describe(v.node()));
        }
        out.removeIf(String::isEmpty);
        return Optional.of(List.copyOf(out));
    }

    /** A flat object of strings (numbers and booleans are turned into strings). */
    Map<String, String> stringMap(String key) {
        Value v = value(key);
        if (v == null) {
            return Map.of();
        }
        JsonNode node =
                v.node().isTextual() ? ConfigLoader.parseEmbedded(v, prefix + key) : v.node();
        if (!node.isObject()) {
            throw error(v, key, "expected an object of strings, got " + describe(node));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw error(
                        v,
                        key + "." + e.getKey(),
                        "expected a string, got " + describe(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Map.copyOf(out);
    }

    /** A reader over the nested object {@code key} (an empty one when absent). */
    ConfigReader child(String key) {
        Value v = value(key);
        ObjectNode node = ConfigLoader.JSON.createObjectNode();
        String childSource = source;
        if (v != null) {
            JsonNode raw =
                    v.node().isTextual() ? ConfigLoader.parseEmbedded(v, prefix + key) : v.node();
            if (!raw.isObject()) {
                throw error(v, key, "expected an object, got " + describe(raw));
            }
            node = (ObjectNode) raw;
            childSource = v.source();
        }
        return new ConfigReader(node, childSource, prefix + key + ".", role, env, warnings);
    }

    /** Records a warning for each key of this object that no one read. */
    void warnUnknownKeys() {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (known.contains(key) || key.startsWith("_")) {
                continue; // "_comment"-style keys are notes for people
            }
            String suggestion = KeySuggestions.closest(key, known, prefix);
            warnings.add(
                    source
                            + ": unknown key '"
                            + prefix
                            + key
                            + "' ignored"
                            + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)"));
        }
    }

    static String describe(JsonNode node) {
        String type = node.getNodeType().name().toLowerCase(Locale.ROOT);
        if (node.isContainerNode()) {
            return "an " + (node.isArray() ? "array" : "object");
        }
        return type + " " + abbreviate(node.toString());
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
