package io.emeth.common.config;

import java.net.URI;
import java.util.Optional;

/** Builds a {@link WorkerConfig} from a {@link ConfigReader}; see the key table there. */
final class WorkerConfigParser {
    private static final long DAY_MS = 86_400_000L;

    private WorkerConfigParser() {}

    static WorkerConfig parse(ConfigReader r) {
        String device = ConfigValues.device(r, "device");
        Optional<URI> myUrl = r.optUri("my_url", ConfigValues.HTTP);
        URI masterNodeUrl =
                r.optUri("master_node_url", ConfigValues.HTTP)
                        .orElseThrow(
                                () ->
                                        r.error(
                                                null,
                                                "master_node_url",
                                                "missing; the master's admin-rpc URL, e.g."
                                                        + " http://127.0.0.1:5000"));
        if (r.value("powerCapacity") == null) {
            throw r.error(null, "powerCapacity", "missing; a positive integer such as 100");
        }
        long powerCapacity = r.number("powerCapacity", 0, 1, Long.MAX_VALUE);
        var identity = ConfigValues.identity(r, "privateKey");
        WorkerTimeouts timeouts = timeouts(r.child("timeout"));
        Optional<String> bootstrap =
                r.value("kafka_bootstrap_servers") == null
                        ? Optional.empty()
                        : Optional.of(
                                ConfigValues.bootstrapServers(r, "kafka_bootstrap_servers", ""));
        Optional<URI> registry = r.optUri("schema_registry_url", ConfigValues.HTTP);
        Optional<String> pool =
                r.value("pool") == null
                        ? Optional.empty()
                        : Optional.of(ConfigValues.address(r, "pool"));
        return new WorkerConfig(
                device,
                myUrl,
                masterNodeUrl,
                powerCapacity,
                identity,
                timeouts,
                ConfigValues.path(r, "key_file", "config/worker.key"),
                bootstrap,
                registry,
                r.stringMap("kafka_properties"),
                pool,
                ConfigValues.millis(r, "heartbeat_interval_ms", 5_000, 100, 3_600_000),
                ConfigValues.path(r, "data_dir", ".emeth/worker"),
                ConfigValues.path(r, "models_dir", ".emeth/models"),
                r.intNumber(
                        "max_update_norm_multiple",
                        WorkerConfig.DEFAULT_MAX_UPDATE_NORM_MULTIPLE,
                        1,
                        1_000_000),
                fineTuning(r.child("fine_tuning")));
    }

    private static FineTuning fineTuning(ConfigReader f) {
        FineTuning d = FineTuning.DEFAULTS;
        FineTuning out =
                new FineTuning(
                        f.intNumber("context_length", d.contextLength(), 1, FineTuning.MAX_CONTEXT),
                        f.decimal(
                                "learning_rate",
                                d.learningRate(),
                                x -> x > 0 && x <= 1,
                                "in (0, 1]"),
                        f.decimal(
                                "warmup_ratio", d.warmupRatio(), x -> x >= 0 && x < 1, "in [0, 1)"),
                        f.bool("cosine_decay", d.cosineDecay()),
                        f.decimal(
                                "weight_decay",
                                d.weightDecay(),
                                x -> x >= 0 && x <= 1,
                                "in [0, 1]"),
                        f.decimal(
                                "grad_clip",
                                d.gradClip(),
                                x -> x >= 0 && x <= FineTuning.MAX_GRAD_CLIP,
                                "in [0, 1000000]"),
                        f.decimal("dropout", d.dropout(), x -> x >= 0 && x < 1, "in [0, 1)"));
        f.warnUnknownKeys();
        return out;
    }

    private static WorkerTimeouts timeouts(ConfigReader t) {
        WorkerTimeouts d = WorkerTimeouts.DEFAULTS;
        WorkerTimeouts out =
                new WorkerTimeouts(
                        ConfigValues.millis(t, "wait_data", d.waitData().toMillis(), 1, DAY_MS),
                        ConfigValues.millis(t, "idle", d.idle().toMillis(), 1, DAY_MS),
                        ConfigValues.millis(t, "learning", d.learning().toMillis(), 1, DAY_MS),
                        ConfigValues.millis(t, "checkpoint", d.checkpoint().toMillis(), 1, DAY_MS));
        t.warnUnknownKeys();
        return out;
    }
}
