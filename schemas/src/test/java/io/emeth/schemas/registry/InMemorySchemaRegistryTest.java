package io.emeth.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.apache.avro.Schema;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/** The registry rules shared by the in-memory registry and the server ({@link RegistryState}). */
class InMemorySchemaRegistryTest {
    static final Schema V1 =
            parse("{'type':'record','name':'R','fields':[{'name':'a','type':'string'}]}");
    static final Schema V2_WITH_DEFAULT =
            parse(
                    "{'type':'record','name':'R','fields':[{'name':'a','type':'string'},"
                            + "{'name':'b','type':['null','int'],'default':null}]}");
    static final Schema V2_WITHOUT_DEFAULT =
            parse(
                    "{'type':'record','name':'R','fields':[{'name':'a','type':'string'},"
                            + "{'name':'b','type':'int'}]}");

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldReturnTheSameIdWhenTheSameSchemaIsRegisteredTwice() {
        int first = registry.register("s-value", V1);
        int second = registry.register("s-value", V1);

        assertThat(second).isEqualTo(first).isEqualTo(1);
        assertThat(registry.versions("s-value")).containsExactly(1);
    }

    @Test
    void shouldShareTheIdOfAnEqualSchemaAcrossSubjects() {
        int first = registry.register("a-value", V1);
        int second = registry.register("b-value", V1);

        assertThat(second).isEqualTo(first);
        assertThat(registry.latest("b-value").version()).isEqualTo(1);
    }

    @Test
    void shouldAddAVersionForACompatibleEvolution() {
        int v1 = registry.register("s-value", V1);
        int v2 = registry.register("s-value", V2_WITH_DEFAULT);

        assertThat(v2).isEqualTo(v1 + 1);
        assertThat(registry.latest("s-value"))
                .isEqualTo(new RegisteredSchema("s-value", 2, v2, V2_WITH_DEFAULT));
        assertThat(registry.version("s-value", 1).schema()).isEqualTo(V1);
        assertThat(registry.lookup("s-value", V1).version()).isEqualTo(1);
        assertThat(registry.schemaById(v2)).isEqualTo(V2_WITH_DEFAULT);
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaWith409NamingTheSubjectAndTheField() {
        registry.register("s-value", V1);

        assertThatThrownBy(() -> registry.register("s-value", V2_WITHOUT_DEFAULT))
                .asInstanceOf(InstanceOfAssertFactories.type(SchemaRegistryException.class))
                .satisfies(
                        e -> {
                            assertThat(e.httpStatus()).isEqualTo(409);
                            assertThat(e.errorCode()).isEqualTo(409);
                            assertThat(e.getMessage())
                                    .contains("subject \"s-value\"")
                                    .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                                    .contains("field 'b'");
                        });
        assertThat(registry.versions("s-value")).containsExactly(1);
    }

    @Test
    void shouldAllowAnythingUnderNone() {
        registry.register("s-value", V1);
        registry.setSubjectCompatibility("s-value", CompatibilityLevel.NONE);

        registry.register("s-value", V2_WITHOUT_DEFAULT);

        assertThat(registry.versions("s-value")).containsExactly(1, 2);
        assertThat(registry.subjectCompatibility("s-value")).contains(CompatibilityLevel.NONE);
    }

    @Test
    void shouldCheckOnlyTheLatestUnderBackwardButEveryVersionUnderBackwardTransitive() {
        // Given x: string, then x removed (backward compatible)
        Schema x = parse("{'type':'record','name':'T','fields':[{'name':'x','type':'string'}]}");
        Schema none = parse("{'type':'record','name':'T','fields':[]}");
        // and a schema bringing x back as an int with a default: reads v2, not v1
        Schema xInt =
                parse(
                        "{'type':'record','name':'T','fields':[{'name':'x','type':'int','default':0}]}");
        registry.register("backward", x);
        registry.register("backward", none);
        registry.register("transitive", x);
        registry.register("transitive", none);
        registry.setSubjectCompatibility("transitive", CompatibilityLevel.BACKWARD_TRANSITIVE);

        // When / Then
        assertThat(registry.testCompatibility("backward", xInt).compatible()).isTrue();
        registry.register("backward", xInt);
        assertThat(registry.testCompatibility("transitive", xInt).messages())
                .singleElement()
                .asString()
                .contains("version 1")
                .contains("TYPE_MISMATCH");
        assertThatThrownBy(() -> registry.register("transitive", xInt))
                .hasMessageContaining("subject \"transitive\"");
    }

    @Test
    void shouldCheckBothDirectionsUnderFull() {
        // adding a field without default is forward compatible only; removing one is backward only
        registry.setCompatibility(CompatibilityLevel.FULL);
        registry.register("s", V1);

        assertThat(registry.testCompatibility("s", V2_WITHOUT_DEFAULT).messages())
                .anySatisfy(message -> assertThat(message).startsWith("BACKWARD"));
        assertThat(registry.testCompatibility("s", V2_WITH_DEFAULT).compatible()).isTrue();
        registry.setCompatibility(CompatibilityLevel.FORWARD);
        assertThat(registry.testCompatibility("s", V2_WITHOUT_DEFAULT).compatible()).isTrue();
    }

    @Test
    void shouldAcceptAnySchemaForASubjectWithoutVersions() {
        assertThat(registry.testCompatibility("new-subject", V2_WITHOUT_DEFAULT).compatible())
                .isTrue();
    }

    @Test
    void shouldAnswerTheConfluentErrorCodesForWhatIsMissing() {
        registry.register("s-value", V1);

        assertThat(code(() -> registry.latest("nope"))).isEqualTo(40401);
        assertThat(code(() -> registry.versions("nope"))).isEqualTo(40401);
        assertThat(code(() -> registry.version("s-value", 7))).isEqualTo(40402);
        assertThat(code(() -> registry.schemaById(99))).isEqualTo(40403);
        assertThat(code(() -> registry.lookup("s-value", V2_WITH_DEFAULT))).isEqualTo(40403);
        assertThat(code(() -> registry.lookup("nope", V1))).isEqualTo(40401);
    }

    @Test
    void shouldFollowTheGlobalLevelUntilTheSubjectHasItsOwn() {
        assertThat(registry.compatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(registry.subjectCompatibility("s")).isEmpty();

        registry.setSubjectCompatibility("s", CompatibilityLevel.FULL_TRANSITIVE);
        registry.setCompatibility(CompatibilityLevel.NONE);
        assertThat(registry.subjectCompatibility("s")).contains(CompatibilityLevel.FULL_TRANSITIVE);

        registry.deleteSubjectCompatibility("s");
        assertThat(registry.subjectCompatibility("s")).isEmpty();
        assertThat(registry.compatibility()).isEqualTo(CompatibilityLevel.NONE);
    }

    @Test
    void shouldRefuseSchemaTextThatIsNotAvroWith42201() {
        assertThat(code(() -> RegistryState.parse("{\"type\": \"record\"}"))).isEqualTo(42201);
        assertThat(code(() -> RegistryState.parse("not json"))).isEqualTo(42201);
        assertThat(code(() -> RegistryState.parse(""))).isEqualTo(42201);
        assertThat(code(() -> RegistryState.parse("[".repeat(5000)))).isEqualTo(42201);
    }

    @Test
    void shouldShareOneRegistryPerMockScope() {
        String scope = "scope-" + UUID.randomUUID();
        SchemaRegistryClient first =
                SchemaRegistryClients.create(SerdeConfig.of("mock://" + scope));
        SchemaRegistryClient second =
                SchemaRegistryClients.create(SerdeConfig.of("mock://" + scope));

        int id = first.register("s", V1);

        assertThat(second.schemaById(id)).isEqualTo(V1);
        assertThat(second.target()).isEqualTo("mock://" + scope);
        InMemorySchemaRegistry.dropScope(scope);
        assertThat(SchemaRegistryClients.create(SerdeConfig.of("mock://" + scope)).subjects())
                .isEmpty();
    }

    @Test
    void shouldParseCompatibilityLevelsIgnoringCaseAndNameTheValidOnes() {
        assertThat(CompatibilityLevel.parse("backward_transitive"))
                .isEqualTo(CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS"))
                .hasMessageContaining("'SIDEWAYS'")
                .hasMessageContaining("BACKWARD, BACKWARD_TRANSITIVE");
    }

    static Schema parse(String singleQuoted) {
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
