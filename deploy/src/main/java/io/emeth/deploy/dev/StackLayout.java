package io.emeth.deploy.dev;

import java.nio.file.Path;

/**
 * Where the local stack keeps its data, logs and process ids: everything under one folder ({@code
 * .emeth/} in the repository by default), so that {@code down}/{@code up} keeps the data and
 * deleting the folder resets the stack.
 */
public record StackLayout(Path repoRoot, Path home) {

    /** The layout for the repository the launcher runs from ({@code emeth.root}, else cwd). */
    public static StackLayout fromEnvironment() {
        Path root = Path.of(System.getProperty("emeth.root", ".")).toAbsolutePath().normalize();
        String home = System.getenv("EMETH_HOME");
        return new StackLayout(
                root, home == null || home.isBlank() ? root.resolve(".emeth") : Path.of(home));
    }

    public Path kafkaData() {
        return home.resolve("kafka/data");
    }

    public Path kafkaProperties() {
        return home.resolve("kafka/server.properties");
    }

    public Path anvilState() {
        return home.resolve("anvil/state.json");
    }

    public Path storage() {
        return home.resolve("storage");
    }

    public Path logs() {
        return home.resolve("logs");
    }

    public Path log(String component) {
        return logs().resolve(component + ".log");
    }

    public Path pidFile(String component) {
        return home.resolve("run/" + component + ".pid");
    }

    public Path stateFile() {
        return home.resolve("stack.json");
    }

    public Path configDir() {
        return home.resolve("config");
    }

    public Path nodeModules() {
        return repoRoot.resolve("node_modules");
    }
}
