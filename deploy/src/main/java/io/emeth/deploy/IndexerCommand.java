package io.emeth.deploy;

import io.emeth.chain.ChainServices;
import io.emeth.chain.gateway.ChainGateway;
import io.emeth.chain.indexer.Indexer;
import io.emeth.common.config.MasterConfig;
import io.emeth.common.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code emeth indexer}: the chain indexer and the chain gateway of the master's account, until
 * SIGTERM; exits non-zero when one of them stops on its own (fenced by a newer instance, or
 * failed).
 */
@Command(
        name = "indexer",
        mixinStandardHelpOptions = true,
        description =
                "Run the chain indexer (EmethCore logs into Kafka) and the chain gateway (transactions).")
public final class IndexerCommand implements Callable<Integer> {
    @Mixin MasterConfigOption config;

    @Option(
            names = "--metrics-port",
            defaultValue = "-1",
            description = "Serve /metrics and /health on 127.0.0.1:<port> (0: any free port).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        MasterConfig master = config.load();
        PrometheusMeterRegistry registry = MetricsServer.newRegistry("indexer");
        ChainServices services = ChainServices.start(master, registry);
        MetricsServer metrics =
                metricsPort < 0
                        ? null
                        : MetricsServer.start(
                                "127.0.0.1",
                                metricsPort,
                                registry,
                                Map.of(
                                        "indexer",
                                        () -> services.indexer().state() == Indexer.State.RUNNING,
                                        "gateway",
                                        () ->
                                                services.gateway().state()
                                                        == ChainGateway.State.RUNNING));
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    services.close();
                                    if (metrics != null) {
                                        metrics.close();
                                    }
                                },
                                "indexer-stop"));
        while (!services.awaitStopped(Duration.ofSeconds(5))) {
            // runs until SIGTERM (the hook closes it) or a service stops on its own
        }
        return 1;
    }
}
