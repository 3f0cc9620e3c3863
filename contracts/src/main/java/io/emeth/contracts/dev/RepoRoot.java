package io.emeth.contracts.dev;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the emeth-node checkout's root folder, where {@code package.json} and {@code node_modules}
 * (solc, anvil) live.
 *
 * <p>The build passes it as the system property {@value #PROPERTY}; a process started elsewhere
 * walks up from its working directory. Both the tests and the {@code emeth dev} launcher need the
 * npm tools, so the lookup lives in one place.
 */
public final class RepoRoot {
    /** System property naming the root; the parent pom hands it to every IT. */
    public static final String PROPERTY = "emeth.root";

    private static final String MARKER = "package.json";

    private RepoRoot() {}

    /** The root from {@value #PROPERTY}, else the nearest folder holding package.json above cwd. */
    public static Path locate() {
        return locate(System.getProperty(PROPERTY), Path.of("").toAbsolutePath());
    }

    static Path locate(String property, Path workingDir) {
        if (property != null && !property.isBlank()) {
            Path root = Path.of(property.strip()).toAbsolutePath().normalize();
            if (!Files.isRegularFile(root.resolve(MARKER))) {
                throw new IllegalStateException(
                        "-D"
                                + PROPERTY
                                + "="
                                + property
                                + " holds no "
                                + MARKER
                                + ": point it at the emeth-node checkout");
            }
            return root;
        }
        for (Path dir = workingDir.toAbsolutePath().normalize();
                dir != null;
                dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(MARKER))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no "
                        + MARKER
                        + " in "
                        + workingDir
                        + " or above: run from inside the emeth-node checkout or set -D"
                        + PROPERTY
                        + "=<checkout>");
    }
}
