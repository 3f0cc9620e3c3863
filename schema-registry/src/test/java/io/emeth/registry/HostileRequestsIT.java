package io.emeth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.testkit.KafkaTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile requests get Confluent's status and error codes with a message naming the
 * problem, and the registry keeps serving.
 */
class HostileRequestsIT {
    private static SchemaRegistryServer registry;
    private static String url;

    @BeforeAll
    static void start() {
        registry =
                SchemaRegistryServer.start(
                        SchemaRegistryServer.Settings.defaults(
                                        KafkaTestCluster.shared().bootstrapServers())
                                .withTopic(KafkaTestCluster.uniqueName("_schemas-hostile")));
        url = registry.url();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @AfterEach
    void stillServing() {
        RawHttp.Answer answer =
                RawHttp.send(
                        "POST",
                        url + "/subjects/alive-value/versions",
                        RawHttp.schemaBody(IndexerCheckpoint.getClassSchema().toString()));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json().path("id").asInt()).isPositive();
    }

    @Test
    void shouldAnswer400ForABodyThatIsNotJson() {
        RawHttp.Answer answer = RawHttp.send("POST", url + "/subjects/s/versions", "{\"schema\": ");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.errorCode()).isEqualTo(400);
        assertThat(answer.message()).contains("not valid JSON");
        assertThat(answer.contentType()).startsWith(RegistryRoutes.CONTENT_TYPE);
    }

    @Test
    void shouldAnswer400ForJsonThatIsNotAnObject() {
        RawHttp.Answer answer = RawHttp.send("POST", url + "/subjects/s/versions", "[1, 2]");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.message()).contains("must be a JSON object");
    }

    @Test
    void shouldAnswer400ForDeeplyNestedJson() {
        RawHttp.Answer answer =
                RawHttp.send("POST", url + "/subjects/s/versions", "[".repeat(100_000));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.errorCode()).isEqualTo(400);
    }

    @Test
    void shouldAnswer42201ForARequestWithoutASchema() {
        RawHttp.Answer answer =
                RawHttp.send("POST", url + "/subjects/s/versions", "{\"schema\": 7}");

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.errorCode()).isEqualTo(42201);
        assertThat(answer.message()).contains("\"schema\" string");
    }

    @Test
    void shouldAnswer42201NamingAvrosComplaintForAnInvalidSchema() {
        RawHttp.Answer answer =
                RawHttp.send(
                        "POST",
                        url + "/subjects/s/versions",
                        RawHttp.schemaBody(
                                "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"a\"}]}"));

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.errorCode()).isEqualTo(42201);
        assertThat(answer.message()).startsWith("Invalid schema").contains("type");
    }

    @Test
    void shouldAnswer42201ForAnInvalidDefault() {
        String schema =
                "{\"type\": \"record\", \"name\": \"R\", \"fields\": "
                        + "[{\"name\": \"a\", \"type\": \"int\", \"default\": \"seven\"}]}";

        RawHttp.Answer answer =
                RawHttp.send("POST", url + "/subjects/s/versions", RawHttp.schemaBody(schema));

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.errorCode()).isEqualTo(42201);
    }

    @Test
    void shouldAnswer42201ForANonAvroSchemaType() {
        RawHttp.Answer answer =
                RawHttp.send(
                        "POST",
                        url + "/subjects/s/versions",
                        "{\"schemaType\": \"PROTOBUF\", \"schema\": \"syntax = \\\"proto3\\\";\"}");

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.errorCode()).isEqualTo(42201);
        assertThat(answer.message()).contains("PROTOBUF");
    }

    @Test
    void shouldAnswer413ForAHugeBody() {
        String huge = RawHttp.schemaBody("\"" + "x".repeat(2 << 20) + "\"");

        RawHttp.Answer answer = RawHttp.send("POST", url + "/subjects/s/versions", huge);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.errorCode()).isEqualTo(413);
        assertThat(answer.message()).contains("larger than this registry accepts");
    }

    @Test
    void shouldAnswer40401ForAnUnknownSubject() {
        RawHttp.Answer versions =
                RawHttp.send("GET", url + "/subjects/nobody-value/versions", null);
        RawHttp.Answer latest =
                RawHttp.send("GET", url + "/subjects/nobody-value/versions/latest", null);

        assertThat(versions.status()).isEqualTo(404);
        assertThat(versions.errorCode()).isEqualTo(40401);
        assertThat(versions.message()).contains("nobody-value");
        assertThat(latest.errorCode()).isEqualTo(40401);
    }

    @Test
    void shouldAnswer40402ForAnUnknownVersionAnd42202ForAnInvalidOne() {
        RawHttp.send(
                "POST",
                url + "/subjects/v-value/versions",
                RawHttp.schemaBody(IndexerCheckpoint.getClassSchema().toString()));

        RawHttp.Answer missing = RawHttp.send("GET", url + "/subjects/v-value/versions/9", null);
        RawHttp.Answer invalid = RawHttp.send("GET", url + "/subjects/v-value/versions/nine", null);
        RawHttp.Answer zero = RawHttp.send("GET", url + "/subjects/v-value/versions/0", null);

        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo(40402);
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.errorCode()).isEqualTo(42202);
        assertThat(invalid.message()).contains("'nine'");
        assertThat(zero.errorCode()).isEqualTo(42202);
    }

    @Test
    void shouldAnswer40403ForAnUnknownOrNonNumericSchemaId() {
        RawHttp.Answer unknown = RawHttp.send("GET", url + "/schemas/ids/987654", null);
        RawHttp.Answer word = RawHttp.send("GET", url + "/schemas/ids/abc", null);

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo(40403);
        assertThat(word.errorCode()).isEqualTo(40403);
    }

    @Test
    void shouldAnswer404WithAnErrorCodeForAnUnknownPath() {
        RawHttp.Answer answer = RawHttp.send("GET", url + "/no/such/path", null);

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.errorCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswer42203ForAnInvalidCompatibilityLevel() {
        RawHttp.Answer answer =
                RawHttp.send("PUT", url + "/config", "{\"compatibility\": \"SIDEWAYS\"}");

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.errorCode()).isEqualTo(42203);
        assertThat(answer.message()).contains("SIDEWAYS").contains("BACKWARD");
    }

    @Test
    void shouldAnswer40408ForASubjectWithoutItsOwnLevelUnlessAskedForTheDefault() {
        RawHttp.Answer own = RawHttp.send("GET", url + "/config/plain-value", null);
        RawHttp.Answer fallback =
                RawHttp.send("GET", url + "/config/plain-value?defaultToGlobal=true", null);

        assertThat(own.status()).isEqualTo(404);
        assertThat(own.errorCode()).isEqualTo(40408);
        assertThat(fallback.status()).isEqualTo(200);
        assertThat(fallback.json().path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    }

    @Test
    void shouldAnswer42208ForASubjectWithControlCharacters() {
        RawHttp.Answer answer =
                RawHttp.send(
                        "POST",
                        url + "/subjects/bad%01subject/versions",
                        RawHttp.schemaBody("\"string\""));

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.errorCode()).isEqualTo(42208);
    }
}
