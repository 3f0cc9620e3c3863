package io.emeth.deploy;

import io.emeth.chain.ChainServices;
import io.emeth.chain.ChainServices.Role;
import io.emeth.chain.gateway.ChainGateway;
import io.emeth.chain.indexer.Indexer;
import io.emeth.common.metrics.MetricsServer;
import io.emeth.master.config.MasterStreamsConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code emeth indexer}: the chain indexer and the chain gateway of the master's account (or one of
 * them, {@code --role}), until SIGTERM; exits non-zero when one of them stops on its own (fenced by
 * a newer instance, or failed).
 */
@Command(
        name = "indexer",
        mixinStandardHelpOptions = true,
        description = {
            "Run the chain indexer (EmethCore logs into Kafka) and the chain gateway (the account's"
                    + " transactions), or one of them with --role.",
            "Both resume from Kafka after a crash; a second instance of either fences the first."
        })
public final class IndexerCommand implements Callable<Integer> {
    @Mixin MasterConfigOption config;

    @Option(
            names = "--role",
            defaultValue = "both",
            paramLabel = "indexer|gateway|both",
            converter = RoleConverter.class,
            description = {
                "What this process runs (default: ${DEFAULT-VALUE}): indexer (chain logs into"
                        + " Kafka), gateway (chain commands into transactions) or both.",
                "Run them apart to restart, upgrade or move the gateway without stopping the"
                        + " indexer; keep one gateway per account."
            })
    Role role;

    @Option(
            names = "--metrics-port",
            defaultValue = "-1",
            description = "Serve /metrics and /health on 127.0.0.1:<port> (0: any free port).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        MasterStreamsConfig node = config.loadWithStreamsKeys();
        // the JVM meters' process tag: a gateway-only process is not an indexer on a dashboard
        PrometheusMeterRegistry registry =
                MetricsServer.newRegistry(role == Role.GATEWAY ? "gateway" : "indexer");
        ChainServices services =
                ChainServices.start(node.master(), node.topicPrefix(), role, registry);
        MetricsServer metrics =
                metricsPort < 0
                        ? null
                        : MetricsServer.start("127.0.0.1", metricsPort, registry, health(services));
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

    /** One health check per service this process runs. */
    private static Map<String, Supplier<Boolean>> health(ChainServices services) {
        Map<String, Supplier<Boolean>> checks = new LinkedHashMap<>();
        services.indexer()
                .ifPresent(i -> checks.put("indexer", () -> i.state() == Indexer.State.RUNNING));
        services.gateway()
                .ifPresent(
                        g -> checks.put("gateway", () -> g.state() == ChainGateway.State.RUNNING));
        return checks;
    }

    /** {@code indexer}, {@code gateway} or {@code both}, in any case. */
    static final class RoleConverter implements CommandLine.ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            for (Role r : Role.values()) {
                if (r.optionValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return r;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "'"
                            + value
                            + "' is not a role; use one of "
                            + Arrays.stream(Role.values())
                                    .map(Role::optionValue)
                                    .collect(Collectors.joining(", ")));
        }
    }
}
