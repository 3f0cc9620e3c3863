package io.emeth.deploy;

import io.emeth.common.config.ConfigException;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.WorkerConfig;
import io.emeth.worker.WorkerAgent;
import io.emeth.worker.WorkerOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code emeth worker}: runs a worker until SIGTERM; a failed worker exits non-zero. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description =
                "Run a worker: register with the master's pool, heartbeat, train assigned shards.")
public final class WorkerCommand implements Callable<Integer> {
    @Option(
            names = {"-c", "--config"},
            defaultValue = "${env:EMETH_WORKER_CONFIG:-config/worker.json}",
            description = "The worker's config file (default: ${DEFAULT-VALUE}).")
    Path file;

    @Option(
            names = "--storage-api",
            description = "Storage API base URL, when the master's node-info does not give one.")
    URI storageApi;

    @Option(
            names = "--metrics-port",
            defaultValue = "-1",
            description = "Serve /metrics and /health on 127.0.0.1:<port> (0: any free port).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        MasterConfigOption.requireFile(file, "worker.json");
        WorkerConfig config;
        try {
            config = ConfigLoader.worker(file);
        } catch (ConfigException e) {
            throw new OperatorException(e.getMessage(), e);
        }
        WorkerOptions options = WorkerOptions.defaults();
        if (storageApi != null) {
            options = options.withStorageApi(storageApi);
        }
        if (metricsPort >= 0) {
            options = options.withMetrics("127.0.0.1", metricsPort);
        }
        WorkerAgent agent;
        try {
            agent = WorkerAgent.start(config, options);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // bad device, unreachable master, missing storage API: the message names the fix
            throw new OperatorException(e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "worker-stop"));
        agent.awaitTermination();
        return agent.failure().isPresent() ? 1 : 0;
    }
}
