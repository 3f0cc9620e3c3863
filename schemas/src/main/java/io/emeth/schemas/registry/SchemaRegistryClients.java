package io.emeth.schemas.registry;

import java.time.Duration;

/** Chooses the registry client for a config: in memory for {@code mock://scope}, else REST. */
public final class SchemaRegistryClients {
    private SchemaRegistryClients() {}

    public static SchemaRegistryClient create(SerdeConfig config) {
        String url = config.registryUrl();
        if (url.startsWith(InMemorySchemaRegistry.MOCK_URL_PREFIX)) {
            return InMemorySchemaRegistry.forScope(
                    url.substring(InMemorySchemaRegistry.MOCK_URL_PREFIX.length()));
        }
        return new RestSchemaRegistryClient(
                url, config.basicAuthUserInfo(), Duration.ofSeconds(30));
    }
}
