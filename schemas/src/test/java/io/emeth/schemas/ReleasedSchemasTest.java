package io.emeth.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the released-schema check catches bad changes, so its silence means something. */
class ReleasedSchemasTest {
    private static final String RELEASED_R =
            "{\"type\": \"record\", \"name\": \"R\", \"namespace\": \"t\", \"fields\": ["
                    + "{\"name\": \"a\", \"type\": \"string\"},"
                    + "{\"name\": \"s\", \"type\": \"t.Shared\"}]}";
    private static final String SHARED =
            "{\"type\": \"enum\", \"name\": \"Shared\", \"namespace\": \"t\", \"symbols\": [\"X\", \"Y\"]}";

    @TempDir Path root;

    @Test
    void shouldReportAFieldAddedWithoutDefaultNamingTheSchemaAndField() throws IOException {
        // Given release 1.0.0 and a current R with a new required field
        release("1.0.0");
        current(
                "R.avsc",
                RELEASED_R.replace(
                        "\"fields\": [", "\"fields\": [{\"name\": \"b\", \"type\": \"int\"},"));

        // Then
        assertThat(ReleasedSchemas.problems(root.resolve("released"), root.resolve("current")))
                .singleElement()
                .asString()
                .contains("t.R is not BACKWARD compatible with release 1.0.0")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                .contains("field 'b'");
    }

    @Test
    void shouldReportAnEnumSymbolRemovedFromASharedType() throws IOException {
        release("1.0.0");
        current("R.avsc", RELEASED_R);
        write(root.resolve("current/shared/Shared.avsc"), SHARED.replace(", \"Y\"", ""));

        assertThat(ReleasedSchemas.problems(root.resolve("released"), root.resolve("current")))
                .anySatisfy(
                        problem ->
                                assertThat(problem)
                                        .contains("t.Shared is not BACKWARD compatible")
                                        .contains("MISSING_ENUM_SYMBOLS"));
    }

    @Test
    void shouldReportAReleasedSchemaThatDisappeared() throws IOException {
        release("1.0.0");
        write(root.resolve("current/shared/Shared.avsc"), SHARED);

        assertThat(ReleasedSchemas.problems(root.resolve("released"), root.resolve("current")))
                .singleElement()
                .asString()
                .contains("t.R of release 1.0.0 has disappeared");
    }

    @Test
    void shouldAcceptANewOptionalFieldWithADefault() throws IOException {
        release("1.0.0");
        current(
                "R.avsc",
                RELEASED_R.replace(
                        "\"fields\": [",
                        "\"fields\": [{\"name\": \"c\", \"type\": [\"null\", \"int\"], \"default\": null},"));

        assertThat(ReleasedSchemas.problems(root.resolve("released"), root.resolve("current")))
                .isEmpty();
    }

    @Test
    void shouldCheckEveryReleaseNotOnlyTheLast() throws IOException {
        // Given x: string in 1.0.0, removed in 2.0.0, and back as an int with a default now
        write(
                root.resolve("released/1.0.0/T.avsc"),
                record("{\"name\": \"x\", \"type\": \"string\"}"));
        write(root.resolve("released/2.0.0/T.avsc"), record(""));
        write(
                root.resolve("current/T.avsc"),
                record("{\"name\": \"x\", \"type\": \"int\", \"default\": 0}"));

        assertThat(ReleasedSchemas.problems(root.resolve("released"), root.resolve("current")))
                .singleElement()
                .asString()
                .contains("release 1.0.0")
                .contains("TYPE_MISMATCH");
    }

    @Test
    void shouldNameAFileThatDoesNotParse() throws IOException {
        release("1.0.0");
        current("R.avsc", "{\"type\": \"record\"}");

        assertThatThrownBy(
                        () ->
                                ReleasedSchemas.problems(
                                        root.resolve("released"), root.resolve("current")))
                .hasMessageContaining("R.avsc");
    }

    private void release(String version) throws IOException {
        write(root.resolve("released/" + version + "/shared/Shared.avsc"), SHARED);
        write(root.resolve("released/" + version + "/R.avsc"), RELEASED_R);
    }

    private void current(String file, String text) throws IOException {
        write(root.resolve("current/shared/Shared.avsc"), SHARED);
        write(root.resolve("current/" + file), text);
    }

    private static String record(String fields) {
        return "{\"type\": \"record\", \"name\": \"T\", \"namespace\": \"t\", \"fields\": ["
                + fields
                + "]}";
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
