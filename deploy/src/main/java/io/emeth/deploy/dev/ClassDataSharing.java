package io.emeth.deploy.dev;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class-data sharing (JDK 17 dynamic AppCDS) for the node processes a drill or {@code emeth dev}
 * starts, as the {@code emeth} launcher does for an operator's: a process maps the classes its
 * command loaded last time from {@code <dir>/<name>.jsa} instead of reading and verifying them
 * again, a large part of a restart after a crash (issue #15). The first run that stops normally
 * (SIGTERM; not SIGKILL) writes the archive. A missing, partly written or stale archive is only
 * ignored by the JVM ({@code -Xshare:auto}); one older than a jar of the class path is deleted
 * first, so that the next normal stop writes it anew.
 */
public final class ClassDataSharing {
    private static final Logger log = LoggerFactory.getLogger(ClassDataSharing.class);

    private static final String QUIET = "-Xlog:cds=error,cds+dynamic=error";

    private ClassDataSharing() {}

    /**
     * The JVM options for a process named {@code name} on {@code classpath}: use the archive when
     * it is there, else write it at exit; none when the class path holds a directory (the JDK
     * archives classes from jars only) or {@code dir} cannot be written.
     */
    public static List<String> options(Path dir, String name, String classpath) {
        String[] entries = classpath.split(File.pathSeparator);
        FileTime newestJar = FileTime.fromMillis(0);
        try {
            for (String entry : entries) {
                Path path = Path.of(entry);
                if (Files.isDirectory(path)) {
                    return List.of();
                }
                if (Files.isRegularFile(path)) {
                    FileTime modified = Files.getLastModifiedTime(path);
                    if (modified.compareTo(newestJar) > 0) {
                        newestJar = modified;
                    }
                }
            }
            Files.createDirectories(dir);
            Path archive = dir.resolve(name + ".jsa");
            if (Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(newestJar) < 0) {
                log.info(
                        "Class-data archive older than the jars, writing it anew [archive:{}]",
                        archive);
                Files.delete(archive);
            }
            if (Files.isRegularFile(archive) && Files.size(archive) > 0) {
                return List.of("-XX:SharedArchiveFile=" + archive);
            }
            return Files.isWritable(dir)
                    // without a warning line per class the JDK cannot archive (picocli's)
                    ? List.of("-XX:ArchiveClassesAtExit=" + archive, QUIET)
                    : List.of();
        } catch (IOException | RuntimeException e) {
            log.warn("Class-data sharing off [dir:{}, error:{}]", dir, e.toString());
            return List.of();
        }
    }
}
