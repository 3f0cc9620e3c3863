package io.emeth.deploy;

import io.emeth.common.config.ConfigException;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.MasterConfig;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option of every command that acts for the master's account. */
public final class MasterConfigOption {
    @Option(
            names = {"-c", "--config"},
            defaultValue = "${env:EMETH_MASTER_CONFIG:-config/master.json}",
            description = "The master's config file (default: ${DEFAULT-VALUE}).")
    Path file;

    /** Loads and validates the file; a bad or missing file is a one-line operator error. */
    public MasterConfig load() {
        requireFile(file, "master.json");
        try {
            return ConfigLoader.master(file);
        } catch (ConfigException e) {
            throw new OperatorException(e.getMessage(), e);
        }
    }

    /**
     * Loads the file with the keys the master's Streams application reads as well, among them
     * {@code topic_prefix}, which every process of the node must share: the master, the indexer and
     * gateway, admin-rpc (which tells the workers) and the operator commands.
     */
    public MasterStreamsConfig loadWithStreamsKeys() {
        requireFile(file, "master.json");
        try {
            return MasterStreamsConfigLoader.load(file);
        } catch (ConfigException e) {
            throw new OperatorException(e.getMessage(), e);
        }
    }

    /** Fails with the fix when a config file is missing; {@code devName} is its dev stack name. */
    static void requireFile(Path file, String devName) {
        if (!Files.isRegularFile(file)) {
            throw new OperatorException(
                    file
                            + " does not exist: pass --config <file>, or run `./emeth dev up` and use"
                            + " .emeth/config/"
                            + devName);
        }
    }
}
