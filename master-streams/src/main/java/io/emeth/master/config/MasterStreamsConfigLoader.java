package io.emeth.master.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.emeth.common.config.ConfigException;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.MasterConfig;
import io.emeth.common.config.WorkerTimeouts;
import io.emeth.schemas.avro.worker.AggregationMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads {@link MasterStreamsConfig} from {@code config/master.json}: node-common's {@link
 * ConfigLoader} reads the original keys (and rejects a {@code cooperative} other than {@code nvm} /
 * {@code 1v1}, naming the key); this class reads the Streams-only keys of the same file with the
 * same environment rule ({@code EMETH_MASTER_<KEY>} or {@code EMETH_<KEY>}, e.g. {@code
 * EMETH_TIMEOUT_LEARNING}). Errors are {@link ConfigException}s naming the file or variable and the
 * key.
 */
public final class MasterStreamsConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(MasterStreamsConfigLoader.class);

    /** Top-level keys read here, so node-common's unknown-key warnings skip them. */
    static final Set<String> OWN_KEYS =
            Set.of(
                    "timeout",
                    "model",
                    "aggregation",
                    "models",
                    "worker_retention_ms",
                    "job_retention_ms",
                    "topic_prefix",
                    "stream_threads",
                    "punctuate_interval_ms",
                    "match_batch_ms",
                    "heartbeat_batch_ms",
                    "instance_id",
                    "master_instances");

    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
    private static final long MAX_TIMEOUT_MS = 7L * 86_400_000;
    private static final long MAX_RETENTION_MS = 3_650L * 86_400_000;

    private final Map<String, String> env;

    public MasterStreamsConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Loads {@code file} with the process environment's overrides, logging warnings. */
    public static MasterStreamsConfig load(Path file) {
        ConfigLoader.Loaded<MasterStreamsConfig> loaded =
                new MasterStreamsConfigLoader(System.getenv()).loadFile(file);
        loaded.warnings().forEach(log::warn);
        return loaded.config();
    }

    public ConfigLoader.Loaded<MasterStreamsConfig> loadFile(Path file) {
        // node-common words the file's own problems (missing, too large, not UTF-8, not JSON)
        ConfigLoader.Loaded<MasterConfig> base = new ConfigLoader(env).loadMaster(file);
        try {
            return combine(base, Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file.toString(), null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses master JSON text; {@code source} names it in errors. */
    public ConfigLoader.Loaded<MasterStreamsConfig> parse(String json, String source) {
        return combine(new ConfigLoader(env).parseMaster(json, source), json, source);
    }

    private ConfigLoader.Loaded<MasterStreamsConfig> combine(
            ConfigLoader.Loaded<MasterConfig> base, String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, null, "not valid JSON", e);
        }
        Reader r = new Reader(root, source);
        String prefix = r.string("topic_prefix", "");
        if (!MasterStreamsConfig.TOPIC_PREFIX.matcher(prefix).matches()) {
            throw r.error(
                    "topic_prefix",
                    "may hold only letters, digits, '.', '_' and '-' (at most 100 characters)");
        }
        MasterStreamsConfig config =
                new MasterStreamsConfig(
                        base.config(),
                        timeouts(r),
                        model(r),
                        aggregation(r),
                        models(root, source),
                        new Retention(
                                Duration.ofMillis(
                                        r.number(
                                                "worker_retention_ms",
                                                Retention.DEFAULTS.workers().toMillis(),
                                                60_000,
                                                MAX_RETENTION_MS)),
                                Duration.ofMillis(
                                        r.number(
                                                "job_retention_ms",
                                                Retention.DEFAULTS.jobs().toMillis(),
                                                60_000,
                                                MAX_RETENTION_MS))),
                        prefix,
                        (int) r.number("stream_threads", 1, 1, 64),
                        Duration.ofMillis(r.number("punctuate_interval_ms", 1_000, 10, 60_000)),
                        Duration.ofMillis(
                                r.number(
                                        "match_batch_ms",
                                        MasterStreamsConfig.DEFAULT_MATCH_BATCH.toMillis(),
                                        0,
                                        1_000)),
                        Duration.ofMillis(
                                r.number(
                                        "heartbeat_batch_ms",
                                        MasterStreamsConfig.DEFAULT_HEARTBEAT_BATCH.toMillis(),
                                        0,
                                        5_000)),
                        membership(r, base.config().stateDir()),
                        java.math.BigInteger.ZERO);
        List<String> warnings = base.warnings().stream().filter(w -> !aboutOwnKey(w)).toList();
        return new ConfigLoader.Loaded<>(config, warnings);
    }

    private static boolean aboutOwnKey(String warning) {
        return OWN_KEYS.stream().anyMatch(key -> warning.contains("unknown key '" + key + "'"));
    }

    private static Membership membership(Reader r, Path stateDir) {
        String id = r.string("instance_id", null);
        if (id == null) {
            id = Membership.defaultInstanceId(Membership.localHostName(), stateDir);
        } else if (!Membership.INSTANCE_ID.matcher(id.strip()).matches()) {
            throw r.error(
                    "instance_id",
                    "may hold only letters, digits, '.', '_' and '-' (1 to 200 characters)");
        }
        return new Membership(id.strip(), (int) r.number("master_instances", 1, 1, 1_000));
    }

    private static WorkerTimeouts timeouts(Reader r) {
        WorkerTimeouts d = WorkerTimeouts.DEFAULTS;
        return new WorkerTimeouts(
                Duration.ofMillis(
                        r.number("timeout.wait_data", d.waitData().toMillis(), 1, MAX_TIMEOUT_MS)),
                Duration.ofMillis(r.number("timeout.idle", d.idle().toMillis(), 1, MAX_TIMEOUT_MS)),
                Duration.ofMillis(
                        r.number("timeout.learning", d.learning().toMillis(), 1, MAX_TIMEOUT_MS)),
                Duration.ofMillis(
                        r.number(
                                "timeout.checkpoint",
                                d.checkpoint().toMillis(),
                                1,
                                MAX_TIMEOUT_MS)));
    }

    private static ModelSettings model(Reader r) {
        ModelSettings d = ModelSettings.DEFAULTS;
        int width = (int) r.number("model.embedding_dim", d.embeddingDim(), 1, 65_536);
        int heads = (int) r.number("model.heads", d.heads(), 1, 65_536);
        if (width % heads != 0) {
            throw r.error(
                    "model.heads",
                    heads + " does not divide model.embedding_dim " + width + "; pick a divisor");
        }
        return new ModelSettings(
                (int) r.number("model.context_length", d.contextLength(), 1, 65_536),
                width,
                (int) r.number("model.layers", d.layers(), 1, 1_024),
                heads,
                r.decimal("model.dropout", d.dropout(), 0, 0.99),
                r.decimal("model.learning_rate", d.learningRate(), 1e-9, 10),
                r.decimal("model.weight_decay", d.weightDecay(), 0, 10),
                r.decimal("model.gradient_clip", d.gradientClip(), 0, 1e6));
    }

    private static AggregationSettings aggregation(Reader r) {
        String method = r.string("aggregation.method", "average").toLowerCase(Locale.ROOT);
        AggregationMethod parsed;
        switch (method) {
            case "average" -> parsed = AggregationMethod.AVERAGE;
            case "diloco" -> parsed = AggregationMethod.DILOCO;
            default ->
                    throw r.error(
                            "aggregation.method",
                            "must be \"average\" or \"diloco\", got '" + method + "'");
        }
        boolean diloco = parsed == AggregationMethod.DILOCO;
        return new AggregationSettings(
                parsed,
                r.decimal("aggregation.outer_learning_rate", diloco ? 0.7 : 1.0, 1e-6, 10),
                r.decimal("aggregation.outer_momentum", diloco ? 0.9 : 0.0, 0, 0.999));
    }

    /**
     * {@code models}: {@code {"<programId>": {"<language>": "<model name>", …}, …}}, from the file
     * only (an object is not overridable by an environment variable); absent: the defaults.
     */
    static ModelTable models(JsonNode root, String source) {
        JsonNode node = root == null ? null : root.get("models");
        if (node == null || node.isNull()) {
            return ModelTable.DEFAULTS;
        }
        if (!node.isObject()) {
            throw new ConfigException(
                    source,
                    "models",
                    "expected an object such as {\"0\": {\"en\": \"gpt2-medium\"}}, got "
                            + node.getNodeType());
        }
        Map<Long, Map<String, String>> table = new java.util.TreeMap<>();
        for (var program : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
            String key = "models." + program.getKey();
            long programId;
            try {
                programId = Long.parseLong(program.getKey());
            } catch (NumberFormatException e) {
                throw new ConfigException(source, key, "a program id must be a whole number");
            }
            if (programId < 0 || !program.getValue().isObject()) {
                throw new ConfigException(
                        source,
                        key,
                        "expected a program id ≥ 0 mapping to {\"<language>\": \"<model>\"}");
            }
            Map<String, String> languages = new java.util.TreeMap<>();
            for (var language :
                    (Iterable<Map.Entry<String, JsonNode>>) program.getValue()::fields) {
                String name = language.getValue().isTextual() ? language.getValue().asText() : "";
                if (!ModelTable.NAME.matcher(name).matches()) {
                    throw new ConfigException(
                            source,
                            key + "." + language.getKey(),
                            "a model name is a directory name of letters, digits, '.', '_' and"
                                    + " '-' (at most 100), got "
                                    + language.getValue());
                }
                languages.put(language.getKey().toLowerCase(Locale.ROOT), name);
            }
            table.put(programId, languages);
        }
        return new ModelTable(table);
    }

    /** Typed reads of dotted keys, environment first, each error naming its key and source. */
    private final class Reader {
        private final JsonNode root;
        private final String file;

        Reader(JsonNode root, String file) {
            this.root = root;
            this.file = file;
        }

        /** The raw value and its source, or null when absent. */
        private Map.Entry<String, String> raw(String key) {
            for (String var : ConfigLoader.envVars("master", key)) {
                String v = env.get(var);
                if (v != null && !v.isBlank()) {
                    return Map.entry("environment variable " + var, v.strip());
                }
            }
            JsonNode node = root;
            for (String part : key.split("\\.")) {
                if (node == null || !node.isObject()) {
                    if (node != null && !node.isNull()) {
                        throw new ConfigException(
                                file,
                                key,
                                "expected an object around this key, got " + node.getNodeType());
                    }
                    return null;
                }
                node = node.get(part);
            }
            if (node == null || node.isNull()) {
                return null;
            }
            if (node.isContainerNode()) {
                throw new ConfigException(file, key, "expected a value, got " + node.getNodeType());
            }
            return Map.entry(file, node.asText());
        }

        String string(String key, String fallback) {
            Map.Entry<String, String> v = raw(key);
            return v == null ? fallback : v.getValue();
        }

        long number(String key, long fallback, long min, long max) {
            Map.Entry<String, String> v = raw(key);
            if (v == null) {
                return fallback;
            }
            long value;
            try {
                value = Long.parseLong(v.getValue().strip());
            } catch (NumberFormatException e) {
                throw new ConfigException(
                        v.getKey(), key, "not a whole number: '" + abbreviate(v.getValue()) + "'");
            }
            if (value < min || value > max) {
                throw new ConfigException(
                        v.getKey(),
                        key,
                        value + " is out of range; expected " + min + " to " + max);
            }
            return value;
        }

        double decimal(String key, double fallback, double min, double max) {
            Map.Entry<String, String> v = raw(key);
            if (v == null) {
                return fallback;
            }
            double value;
            try {
                value = Double.parseDouble(v.getValue().strip());
            } catch (NumberFormatException e) {
                throw new ConfigException(
                        v.getKey(), key, "not a number: '" + abbreviate(v.getValue()) + "'");
            }
            if (!(value >= min && value <= max)) {
                throw new ConfigException(
                        v.getKey(),
                        key,
                        v.getValue() + " is out of range; expected " + min + " to " + max);
            }
            return value;
        }

        ConfigException error(String key, String problem) {
            Map.Entry<String, String> v = raw(key);
            return new ConfigException(v == null ? file : v.getKey(), key, problem);
        }

        private String abbreviate(String text) {
            return text.length() <= 60 ? text : text.substring(0, 57) + "...";
        }
    }
}
