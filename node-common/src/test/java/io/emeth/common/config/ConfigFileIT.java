package io.emeth.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileIT {
    @TempDir Path dir;

    final ConfigLoader loader = new ConfigLoader(Map.of());

    @Test
    void shouldLoadAFileWrittenByTheWriterWithOwnerOnlyPermissions() throws Exception {
        // Given a config written for the launcher
        MasterConfig config = ConfigLoaderTest.parse(ConfigLoaderTest.master(""));
        Path file = dir.resolve("config/master.json");
        ConfigWriter.write(file, ConfigWriter.toJson(config));
        // Then it is private and loads back equal
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(loader.loadMaster(file).config()).isEqualTo(config);
    }

    @Test
    void shouldNameAMissingFileAndTheFix() {
        Path missing = dir.resolve("config/worker.json");
        assertThatThrownBy(() -> loader.loadWorker(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing + ": file not found")
                .hasMessageContaining("emeth dev up");
    }

    @Test
    void shouldRefuseAHugeFile() throws Exception {
        Path huge = dir.resolve("master.json");
        Files.write(huge, new byte[(int) ConfigLoader.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> loader.loadMaster(huge))
                .hasMessageContaining(huge + ": file is 1048577 bytes, larger than the");
    }

    @Test
    void shouldRefuseAFileThatIsNotText() throws Exception {
        Path binary = dir.resolve("master.json");
        Files.write(binary, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
        assertThatThrownBy(() -> loader.loadMaster(binary))
                .hasMessageContaining(binary + ": not UTF-8 text");
    }

    @Test
    void shouldNameTheFileInErrorsAndWarnings() throws Exception {
        Path file = dir.resolve("master.json");
        Files.writeString(file, ConfigLoaderTest.master("\"min_fee\": \"abc\""));
        assertThatThrownBy(() -> loader.loadMaster(file))
                .hasMessage(file + ": min_fee: not a number: 'abc'");
        Files.writeString(file, ConfigLoaderTest.master("\"colour\": 1"));
        assertThat(loader.loadMaster(file).warnings())
                .containsExactly(file + ": unknown key 'colour' ignored");
    }
}
