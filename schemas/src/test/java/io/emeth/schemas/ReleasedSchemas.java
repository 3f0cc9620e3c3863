package io.emeth.schemas;

import io.emeth.schemas.registry.Compatibility;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The build's guard on schema evolution: every schema released before (kept under {@code
 * src/released/<version>/}) must still exist and be readable by the current schema of the same name
 * (BACKWARD: reader = current, writer = released), because events written by a released version
 * stay on the topics. Every released version is checked, not only the last one.
 */
final class ReleasedSchemas {
    /** The folder of types the other files refer to; parsed first, as the Avro plugin does. */
    static final String SHARED = "shared";

    private ReleasedSchemas() {}

    /** Every problem of {@code current} against every release under {@code releasedRoot}. */
    static List<String> problems(Path releasedRoot, Path current) {
        Map<String, Schema> now = load(current);
        List<String> problems = new ArrayList<>();
        for (Path release : releases(releasedRoot)) {
            String version = release.getFileName().toString();
            load(release)
                    .forEach(
                            (name, released) -> {
                                Schema schema = now.get(name);
                                if (schema == null) {
                                    problems.add(
                                            name
                                                    + " of release "
                                                    + version
                                                    + " has disappeared from "
                                                    + current
                                                    + "; released schemas must stay (data written"
                                                    + " with them is still on the topics)");
                                    return;
                                }
                                for (String problem :
                                        Compatibility.readerWriter(schema, released)) {
                                    problems.add(
                                            name
                                                    + " is not BACKWARD compatible with release "
                                                    + version
                                                    + ": "
                                                    + problem);
                                }
                            });
        }
        return problems;
    }

    /** The top-level schema of each .avsc file under {@code dir}, by full name. */
    static Map<String, Schema> load(Path dir) {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (Path file : avscFiles(dir)) {
            Schema schema;
            try {
                schema = parser.parse(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot parse " + file + ": " + e.getMessage(), e);
            }
            schemas.put(schema.getFullName(), schema);
        }
        return schemas;
    }

    private static List<Path> avscFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(file -> file.toString().endsWith(".avsc"))
                    .sorted(
                            Comparator.comparing((Path file) -> !isShared(dir, file))
                                    .thenComparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list schemas under " + dir, e);
        }
    }

    private static boolean isShared(Path root, Path file) {
        return root.relativize(file).startsWith(SHARED);
    }

    private static List<Path> releases(Path releasedRoot) {
        try (Stream<Path> dirs = Files.list(releasedRoot)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list releases under " + releasedRoot, e);
        }
    }
}
