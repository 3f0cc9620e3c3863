package io.emeth.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SerdeConfigTest {

    @Test
    void shouldReadConfluentKeysWithAutoRegisterOnByDefault() {
        SerdeConfig config =
                SerdeConfig.fromMap(Map.of(SerdeConfig.REGISTRY_URL, " http://r:8081 "));

        assertThat(config.registryUrl()).isEqualTo("http://r:8081");
        assertThat(config.autoRegister()).isTrue();
        assertThat(SerdeConfig.fromMap(config.withAutoRegister(false).toMap()).autoRegister())
                .isFalse();
    }

    @Test
    void shouldNameTheMissingRegistryUrl() {
        assertThatThrownBy(() -> SerdeConfig.fromMap(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void shouldNameAnAutoRegisterValueThatIsNotABoolean() {
        assertThatThrownBy(
                        () ->
                                SerdeConfig.fromMap(
                                        Map.of(
                                                SerdeConfig.REGISTRY_URL, "http://r",
                                                SerdeConfig.AUTO_REGISTER, "yes please")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auto.register.schemas")
                .hasMessageContaining("yes please");
    }

    @Test
    void shouldNeverPrintTheCredentials() {
        SerdeConfig config = new SerdeConfig("http://r", true, "user:s3cret");

        assertThat(config.toString()).doesNotContain("s3cret").contains("***");
    }

    @Test
    void shouldRefuseARegistryUrlThatIsNotHttp() {
        assertThatThrownBy(() -> SchemaRegistryClients.create(SerdeConfig.of("ftp://r:21")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url 'ftp://r:21'");
        assertThatThrownBy(() -> SchemaRegistryClients.create(SerdeConfig.of("localhost:8081")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'localhost:8081'");
        assertThatThrownBy(() -> SchemaRegistryClients.create(SerdeConfig.of("http://a b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'http://a b'");
    }

    @Test
    void shouldAcceptSeveralUrlsForFailover() {
        assertThat(RegistryHttp.parseUrls("http://a:1/, https://b:2"))
                .extracting(Object::toString)
                .containsExactly("http://a:1", "https://b:2");
    }

    @Test
    void shouldReportAnUnreachableRegistryNamingTheUrlAndTheFix() {
        // port 9 on loopback (discard) is closed on CI machines: the connection is refused at once
        RestSchemaRegistryClient client = new RestSchemaRegistryClient("http://127.0.0.1:9");

        assertThatThrownBy(client::subjects)
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("schema registry unreachable at http://127.0.0.1:9")
                .hasMessageContaining("check schema.registry.url");
    }
}
