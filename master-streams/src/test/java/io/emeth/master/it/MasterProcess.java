package io.emeth.master.it;

import io.emeth.master.MasterApp;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import java.nio.file.Path;

/**
 * A master instance as its own JVM, for ITs that must SIGKILL one: {@code java -cp <test class
 * path> io.emeth.master.it.MasterProcess <master.json>}. Prints {@value #STARTED} once started.
 */
public final class MasterProcess {
    public static final String STARTED = "MASTER-PROCESS-STARTED";

    private MasterProcess() {}

    public static void main(String[] args) throws Exception {
        MasterStreamsConfig config = MasterStreamsConfigLoader.load(Path.of(args[0]));
        MasterApp app = MasterApp.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "master-stop"));
        System.out.println(STARTED);
        app.awaitShutdown();
    }
}
