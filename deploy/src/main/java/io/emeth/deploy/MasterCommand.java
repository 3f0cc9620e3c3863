package io.emeth.deploy;

import io.emeth.common.config.ConfigException;
import io.emeth.master.MasterApp;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code emeth master}: one instance of the master's Kafka Streams application; more instances with
 * the same {@code application_id} share the work. Runs until SIGTERM.
 */
@Command(
        name = "master",
        mixinStandardHelpOptions = true,
        description = {
            "Run the master: job matching and coordination (Kafka Streams).",
            "Start more instances with the same application_id to scale out."
        })
public final class MasterCommand implements Callable<Integer> {
    @Option(
            names = {"-c", "--config"},
            defaultValue = "${env:EMETH_MASTER_CONFIG:-config/master.json}",
            description = "The master's config file (default: ${DEFAULT-VALUE}).")
    Path file;

    @Override
    public Integer call() throws Exception {
        MasterConfigOption.requireFile(file, "master.json");
        MasterStreamsConfig config;
        try {
            config = MasterStreamsConfigLoader.load(file);
        } catch (ConfigException e) {
            throw new OperatorException(e.getMessage(), e);
        }
        MasterApp app = MasterApp.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "master-stop"));
        app.awaitShutdown();
        return app.isRunning() ? 0 : 1;
    }
}
