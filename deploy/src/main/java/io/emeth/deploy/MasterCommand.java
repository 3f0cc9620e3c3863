package io.emeth.deploy;

import io.emeth.common.metrics.MetricsServer;
import io.emeth.master.MasterApp;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Mixin MasterConfigOption config;

    @Option(
            names = "--metrics-port",
            defaultValue = "-1",
            description =
                    "Serve /metrics (Kafka Streams' metrics) and /health on 127.0.0.1:<port>"
                            + " (0: any free port).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        MasterApp app;
        try {
            app = MasterApp.start(MasterApp.withChainRates(config.loadWithStreamsKeys()));
        } catch (IllegalStateException e) {
            // a missing topic, or another instance on this state_dir: the operator's to fix
            throw new OperatorException(e.getMessage(), e);
        }
        MetricsServer metrics = null;
        if (metricsPort >= 0) {
            PrometheusMeterRegistry registry = MetricsServer.newRegistry("master");
            app.bindMetrics(registry);
            metrics =
                    MetricsServer.start(
                            "127.0.0.1", metricsPort, registry, Map.of("master", app::isRunning));
        }
        MetricsServer served = metrics;
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    app.close();
                                    if (served != null) {
                                        served.close();
                                    }
                                },
                                "master-stop"));
        app.awaitShutdown();
        if (app.failure().isPresent()) {
            throw new OperatorException(app.failure().get());
        }
        return app.isRunning() ? 0 : 1;
    }
}
