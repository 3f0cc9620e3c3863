package io.emeth.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fails the build when a schema under {@code src/main/avro} is no longer BACKWARD compatible with
 * one of the released versions under {@code src/released}, or a released schema disappeared. After
 * a release, copy {@code src/main/avro} to {@code src/released/<version>/}.
 */
class ReleasedSchemasCompatibilityTest {
    private static final Path RELEASED = Path.of("src/released");
    private static final Path CURRENT = Path.of("src/main/avro");

    @Test
    void shouldKeepEveryCurrentSchemaBackwardCompatibleWithEveryRelease() {
        // Given at least the first released baseline
        assertThat(RELEASED.resolve("0.1.0")).isDirectory();

        // When
        List<String> problems = ReleasedSchemas.problems(RELEASED, CURRENT);

        // Then
        assertThat(problems)
                .as(
                        "schema changes that break data already on the topics:%n%s",
                        String.join(System.lineSeparator(), problems))
                .isEmpty();
    }

    @Test
    void shouldReleaseEveryCurrentSchemaFile() throws Exception {
        // a new .avsc must be added to the next release's baseline; here: every file is released
        try (var files = Files.walk(CURRENT)) {
            List<String> current =
                    files.filter(file -> file.toString().endsWith(".avsc"))
                            .map(file -> CURRENT.relativize(file).toString())
                            .toList();
            assertThat(current).isNotEmpty();
            assertThat(ReleasedSchemas.load(RELEASED.resolve("0.1.0")).keySet())
                    .containsAll(ReleasedSchemas.load(CURRENT).keySet());
        }
    }
}
