package io.emeth.schemas.registry;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;

/**
 * How the Avro serdes reach the schema registry, under Confluent's config keys so that the same
 * properties work with Confluent's tooling: {@value #REGISTRY_URL} (comma-separated http(s) URLs,
 * or {@code mock://scope} for TopologyTestDriver tests), {@value #AUTO_REGISTER} (default true) and
 * {@value #BASIC_AUTH_USER_INFO} ({@code user:password}, optional, never printed).
 */
public record SerdeConfig(String registryUrl, boolean autoRegister, String basicAuthUserInfo) {
    public static final String REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";

    public SerdeConfig {
        Objects.requireNonNull(registryUrl, REGISTRY_URL);
        if (registryUrl.isBlank()) {
            throw new ConfigException(REGISTRY_URL, registryUrl, "must name the schema registry");
        }
    }

    /** Auto-registering, unauthenticated access to the registry at {@code registryUrl}. */
    public static SerdeConfig of(String registryUrl) {
        return new SerdeConfig(registryUrl, true, null);
    }

    public SerdeConfig withAutoRegister(boolean value) {
        return new SerdeConfig(registryUrl, value, basicAuthUserInfo);
    }

    /**
     * Reads the keys from Kafka-style client configs.
     *
     * @throws ConfigException naming the key when it is missing or malformed
     */
    public static SerdeConfig fromMap(Map<String, ?> configs) {
        Object url = configs.get(REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(
                    REGISTRY_URL,
                    url,
                    "is required by the Avro serdes: the schema registry's http(s) URL");
        }
        Object auth = configs.get(BASIC_AUTH_USER_INFO);
        return new SerdeConfig(
                url.toString().trim(),
                parseBoolean(configs.get(AUTO_REGISTER)),
                auth == null ? null : auth.toString());
    }

    /** The configs as a map for Kafka clients (including the credentials, when set). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new HashMap<>();
        map.put(REGISTRY_URL, registryUrl);
        map.put(AUTO_REGISTER, autoRegister);
        if (basicAuthUserInfo != null) {
            map.put(BASIC_AUTH_USER_INFO, basicAuthUserInfo);
        }
        return map;
    }

    @Override
    public String toString() {
        return "SerdeConfig[registryUrl="
                + registryUrl
                + ", autoRegister="
                + autoRegister
                + ", basicAuth="
                + (basicAuthUserInfo == null ? "none" : "***")
                + "]";
    }

    private static boolean parseBoolean(Object value) {
        if (value == null) {
            return true;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(AUTO_REGISTER, value, "must be true or false");
    }
}
