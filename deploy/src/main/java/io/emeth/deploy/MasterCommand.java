package io.emeth.deploy;

import io.emeth.master.MasterApp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
    @Mixin MasterConfigOption config;

    @Override
    public Integer call() throws Exception {
        MasterApp app = MasterApp.start(config.loadWithStreamsKeys());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "master-stop"));
        app.awaitShutdown();
        return app.isRunning() ? 0 : 1;
    }
}
