package io.emeth.common.config;

/**
 * A config that cannot be used, naming where the bad value came from and the key, e.g. {@code
 * config/master.json: min_fee: not a number: 'abc'} or {@code environment variable EMETH_MIN_FEE:
 * min_fee: …}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String key;

    public ConfigException(String source, String key, String problem) {
        this(source, key, problem, null);
    }

    public ConfigException(String source, String key, String problem, Throwable cause) {
        super(source + ": " + (key == null ? "" : key + ": ") + problem, cause);
        this.source = source;
        this.key = key;
    }

    /** The file (as given) or environment variable the bad value came from. */
    public String source() {
        return source;
    }

    /** The key, dotted for nested keys ({@code timeout.idle}); null for a whole-file problem. */
    public String key() {
        return key;
    }
}
