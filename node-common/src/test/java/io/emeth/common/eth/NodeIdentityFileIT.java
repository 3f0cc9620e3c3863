package io.emeth.common.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityFileIT {
    @TempDir Path dir;

    @Test
    void shouldGenerateAKeyOnFirstStartWithOwnerOnlyPermissionsAndReuseIt() throws Exception {
        // Given no key file
        Path keyFile = dir.resolve("config/worker.key");
        // When a worker starts twice
        NodeIdentity first = NodeIdentity.loadOrCreate(keyFile);
        NodeIdentity second = NodeIdentity.loadOrCreate(keyFile);
        // Then it keeps its address and the file is rw-------
        assertThat(second.address()).isEqualTo(first.address());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(keyFile).strip()).isEqualTo(first.privateKeyHex());
        try (var files = Files.list(keyFile.getParent())) {
            assertThat(files).containsExactly(keyFile); // no temp file left behind
        }
    }

    @Test
    void shouldAgreeOnOneKeyWhenStartedConcurrently() throws Exception {
        Path keyFile = dir.resolve("race.key");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tasks.add(() -> NodeIdentity.loadOrCreate(keyFile).address());
            }
            Set<String> addresses = new HashSet<>();
            for (Future<String> f : pool.invokeAll(tasks)) {
                addresses.add(f.get());
            }
            assertThat(addresses).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldTightenAKeyFileReadableByOthers() throws Exception {
        Path keyFile = dir.resolve("open.key");
        Files.writeString(keyFile, SignaturesTest.KEY_0 + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        NodeIdentity id = NodeIdentity.loadOrCreate(keyFile);
        assertThat(id.address()).isEqualTo(SignaturesTest.ADDRESS_0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
    }

    @Test
    void shouldNameTheFileWhenItHoldsNoKey() throws Exception {
        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "hello");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(garbage))
                .hasMessageContaining(garbage.toString())
                .hasMessageContaining("64 hex digits")
                .hasMessageContaining("delete the file");
        Path huge = dir.resolve("huge.key");
        Files.write(huge, new byte[10_000]);
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(huge))
                .hasMessageContaining("not a key file");
    }
}
