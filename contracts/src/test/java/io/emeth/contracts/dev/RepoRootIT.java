package io.emeth.contracts.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locating the checkout on a real file system. */
class RepoRootIT {

    @Test
    void shouldPreferTheSystemProperty(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("package.json"), "{}");
        assertThat(RepoRoot.locate(dir.toString(), Path.of("/"))).isEqualTo(dir);
    }

    @Test
    void shouldRejectAPropertyWithoutPackageJson(@TempDir Path dir) {
        assertThatThrownBy(() -> RepoRoot.locate(dir.toString(), dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "-Demeth.root="
                                + dir
                                + " holds no package.json: point it at the emeth-node checkout");
    }

    @Test
    void shouldWalkUpFromTheWorkingDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("package.json"), "{}");
        Path deep = Files.createDirectories(dir.resolve("contracts/src/main"));
        assertThat(RepoRoot.locate(null, deep)).isEqualTo(dir);
        assertThat(RepoRoot.locate("  ", deep)).isEqualTo(dir);
    }

    @Test
    void shouldExplainTheFixWhenNoCheckoutIsFound(@TempDir Path dir) {
        // Given a folder with no package.json in it or above (skipped if the temp folder has one)
        for (Path up = dir; up != null; up = up.getParent()) {
            assumeThat(up.resolve("package.json")).doesNotExist();
        }
        Path lonely = dir.resolve("a/b");
        assertThatThrownBy(() -> RepoRoot.locate(null, lonely))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no package.json in " + lonely + " or above")
                .hasMessageContaining("set -Demeth.root=<checkout>");
    }

    @Test
    void shouldFindThisCheckoutFromTheBuild() {
        assertThat(RepoRoot.locate().resolve("package.json")).isRegularFile();
    }
}
