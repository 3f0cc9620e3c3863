package io.emeth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.schemas.registry.CompatibilityCheck;
import io.emeth.schemas.registry.CompatibilityLevel;
import io.emeth.schemas.registry.RegisteredSchema;
import io.emeth.schemas.registry.RestSchemaRegistryClient;
import io.emeth.schemas.registry.SchemaRegistryException;
import io.emeth.testkit.KafkaTestCluster;
import org.apache.avro.Schema;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/** The hand-written REST client against the real server: every call, its answers and errors. */
class RestSchemaRegistryClientIT {
    private static final Schema V1 =
            parse(
                    "{'type':'record','name':'R','namespace':'t','fields':[{'name':'a','type':'string'}]}");
    private static final Schema V2 =
            parse(
                    "{'type':'record','name':'R','namespace':'t','fields':[{'name':'a','type':'string'},"
                            + "{'name':'b','type':['null','long'],'default':null}]}");
    private static final Schema V2_BAD =
            parse(
                    "{'type':'record','name':'R','namespace':'t','fields':[{'name':'a','type':'string'},"
                            + "{'name':'b','type':'long'}]}");

    private final KafkaTestCluster kafka = KafkaTestCluster.shared();

    @Test
    void shouldRegisterLookUpAndFetchSchemasAsTheRegistryStoresThem() {
        try (SchemaRegistryServer server = start()) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());

            // register, twice, and under a second subject
            int v1 = client.register("r-value", V1);
            assertThat(client.register("r-value", V1)).isEqualTo(v1);
            assertThat(client.register("copy-value", V1)).isEqualTo(v1);
            int v2 = client.register("r-value", V2);

            // look up and fetch, with a fresh client so nothing comes from a cache
            RestSchemaRegistryClient fresh = new RestSchemaRegistryClient(server.url());
            assertThat(fresh.lookup("r-value", V1))
                    .isEqualTo(new RegisteredSchema("r-value", 1, v1, V1));
            assertThat(fresh.idOf("r-value", V2)).isEqualTo(v2);
            assertThat(fresh.schemaById(v2)).isEqualTo(V2);
            assertThat(fresh.latest("r-value"))
                    .isEqualTo(new RegisteredSchema("r-value", 2, v2, V2));
            assertThat(fresh.version("r-value", 1).schema()).isEqualTo(V1);
            assertThat(fresh.subjects()).containsExactlyInAnyOrder("r-value", "copy-value");
            assertThat(fresh.versions("r-value")).containsExactly(1, 2);
            assertThat(fresh.target()).isEqualTo(server.url());

            // the listings of an id
            RawHttp.Answer versions =
                    RawHttp.send("GET", server.url() + "/schemas/ids/" + v1 + "/versions", null);
            assertThat(versions.json().toString())
                    .contains("{\"subject\":\"r-value\",\"version\":1}")
                    .contains("{\"subject\":\"copy-value\",\"version\":1}");
            RawHttp.Answer raw =
                    RawHttp.send(
                            "GET", server.url() + "/subjects/r-value/versions/latest/schema", null);
            assertThat(parse(raw.text())).isEqualTo(V2);
        }
    }

    @Test
    void shouldTestCompatibilityAgainstTheSubjectsLevel() {
        try (SchemaRegistryServer server = start()) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());
            client.register("c-value", V1);

            CompatibilityCheck good = client.testCompatibility("c-value", V2);
            CompatibilityCheck bad = client.testCompatibility("c-value", V2_BAD);

            assertThat(good.compatible()).isTrue();
            assertThat(bad.compatible()).isFalse();
            assertThat(bad.messages())
                    .singleElement()
                    .asString()
                    .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
            assertThat(client.testCompatibility("unknown-value", V2_BAD).compatible()).isTrue();
        }
    }

    @Test
    void shouldReadAndSetCompatibilityLevels() {
        try (SchemaRegistryServer server = start()) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());

            assertThat(client.compatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
            assertThat(client.subjectCompatibility("l-value")).isEmpty();

            client.setSubjectCompatibility("l-value", CompatibilityLevel.NONE);
            client.register("l-value", V1);
            client.register("l-value", V2_BAD); // allowed under NONE
            assertThat(client.subjectCompatibility("l-value")).contains(CompatibilityLevel.NONE);

            client.deleteSubjectCompatibility("l-value");
            client.deleteSubjectCompatibility("l-value"); // already gone: no error
            assertThat(client.subjectCompatibility("l-value")).isEmpty();

            client.setCompatibility(CompatibilityLevel.FULL_TRANSITIVE);
            assertThat(client.compatibility()).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
            client.setCompatibility(CompatibilityLevel.BACKWARD);
        }
    }

    @Test
    void shouldCarryTheHttpStatusErrorCodeAndMessage() {
        try (SchemaRegistryServer server = start()) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());
            client.register("e-value", V1);

            assertThatThrownBy(() -> client.latest("nope-value"))
                    .asInstanceOf(InstanceOfAssertFactories.type(SchemaRegistryException.class))
                    .satisfies(
                            e -> {
                                assertThat(e.httpStatus()).isEqualTo(404);
                                assertThat(e.errorCode()).isEqualTo(40401);
                                assertThat(e.getMessage())
                                        .contains("nope-value")
                                        .contains(server.url());
                            });
            assertThat(code(() -> client.version("e-value", 5))).isEqualTo(40402);
            assertThat(code(() -> client.schemaById(424242))).isEqualTo(40403);
            assertThat(code(() -> client.lookup("e-value", V2))).isEqualTo(40403);
            assertThat(code(() -> client.register("e-value", V2_BAD))).isEqualTo(409);
        }
    }

    @Test
    void shouldAnswerFromItsCacheAndReportAnUnreachableRegistry() {
        RestSchemaRegistryClient client;
        int id;
        try (SchemaRegistryServer server = start()) {
            client = new RestSchemaRegistryClient(server.url());
            id = client.register("k-value", V1);
        }

        // the registry is gone: ids and schemas already seen still answer
        assertThat(client.schemaById(id)).isEqualTo(V1);
        assertThat(client.register("k-value", V1)).isEqualTo(id);
        assertThatThrownBy(() -> client.latest("k-value"))
                .asInstanceOf(InstanceOfAssertFactories.type(SchemaRegistryException.class))
                .satisfies(
                        e -> {
                            assertThat(e.httpStatus()).isZero();
                            assertThat(e.getMessage()).contains("unreachable");
                        });
    }

    @Test
    void shouldFailOverToTheNextUrl() {
        try (SchemaRegistryServer server = start()) {
            RestSchemaRegistryClient client =
                    new RestSchemaRegistryClient("http://127.0.0.1:9," + server.url());

            assertThat(client.register("f-value", V1)).isPositive();
        }
    }

    private SchemaRegistryServer start() {
        return SchemaRegistryServer.start(
                SchemaRegistryServer.Settings.defaults(kafka.bootstrapServers())
                        .withTopic(KafkaTestCluster.uniqueName("_schemas-client")));
    }

    private static Schema parse(String singleQuoted) {
        return new Schema.Parser().parse(singleQuoted.replace('\'', '"'));
    }

    private static int code(Runnable call) {
        try {
            call.run();
        } catch (SchemaRegistryException e) {
            return e.errorCode();
        }
        throw new AssertionError("expected a SchemaRegistryException");
    }
}
