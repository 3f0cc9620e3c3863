package io.emeth.deploy.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataSharingTest {
    @TempDir Path dir;

    @Test
    void shouldWriteTheArchiveAtExitWhenThereIsNoneYet() throws Exception {
        // Given a class path of jars and no archive (a clean clone)
        Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
        Path archives = dir.resolve("cds");

        // Then the process writes its archive when it stops normally
        assertThat(ClassDataSharing.options(archives, "worker-1", jar.toString()))
                .first()
                .isEqualTo("-XX:ArchiveClassesAtExit=" + archives.resolve("worker-1.jsa"));
    }

    @Test
    void shouldMapTheArchiveWhenItIsNewerThanTheJars() throws Exception {
        // Given an archive written after the jars were built
        Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
        Path archive = Files.writeString(dir.resolve("master.jsa"), "archive");

        // Then the process maps it
        assertThat(ClassDataSharing.options(dir, "master", jar.toString()))
                .containsExactly("-XX:SharedArchiveFile=" + archive);
    }

    @Test
    void shouldDropAnArchiveOlderThanAJarAndWriteItAnew() throws Exception {
        // Given a jar rebuilt after the archive was written
        Path archive = Files.writeString(dir.resolve("master.jsa"), "archive");
        Files.setLastModifiedTime(archive, FileTime.fromMillis(1_000_000));
        Path jar = Files.writeString(dir.resolve("a.jar"), "jar");

        // Then the stale archive is gone and the next normal stop writes it again
        assertThat(ClassDataSharing.options(dir, "master", jar.toString()))
                .first()
                .isEqualTo("-XX:ArchiveClassesAtExit=" + archive);
        assertThat(archive).doesNotExist();
    }

    @Test
    void shouldAddNothingWhenTheClassPathHoldsAFolder() throws Exception {
        // Given classes from a folder (the JDK archives classes from jars only)
        Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
        Path classes = Files.createDirectories(dir.resolve("classes"));

        // Then the process starts without class-data options
        assertThat(
                        ClassDataSharing.options(
                                dir.resolve("cds"), "master", jar + File.pathSeparator + classes))
                .isEmpty();
    }
}
