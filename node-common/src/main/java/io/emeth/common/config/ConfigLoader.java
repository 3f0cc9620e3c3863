package io.emeth.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads {@code config/master.json} and {@code config/worker.json} into validated {@link
 * MasterConfig} / {@link WorkerConfig} records, once, in {@code main}.
 *
 * <p><b>Environment overrides</b> (the one rule): key {@code k} — dotted for nested keys — is
 * overridden by {@code EMETH_<ROLE>_<K>}, else {@code EMETH_<K>}, where {@code <ROLE>} is {@code
 * MASTER} or {@code WORKER} and {@code <K>} is the key with camelCase split and dots turned into
 * underscores, upper-cased: {@code endpoint} → {@code EMETH_ENDPOINT}, {@code privateKey} → {@code
 * EMETH_PRIVATE_KEY}, {@code timeout.wait_data} → {@code EMETH_TIMEOUT_WAIT_DATA}, {@code min_fee}
 * → {@code EMETH_MASTER_MIN_FEE} or {@code EMETH_MIN_FEE}. Values are strings: lists are
 * comma-separated, objects ({@code external_db}, {@code kafka_properties}) are JSON text or, for
 * {@code external_db}, a {@code mysql://} URL. Empty variables are ignored.
 *
 * <p>Errors are {@link ConfigException}s naming the file or variable and the key. Unknown keys are
 * returned as warnings (and logged by {@link #master} / {@link #worker}), not errors.
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);

    public static final Path MASTER_FILE = Path.of("config", "master.json");
    public static final Path WORKER_FILE = Path.of("config", "worker.json");

    /** A config file is a few KB; anything past this is not one. */
    public static final long MAX_FILE_BYTES = 1 << 20;

    static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    static {
        JSON.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder()
                                .maxNestingDepth(32)
                                .maxNumberLength(200)
                                .build());
    }

    /** A loaded config and the warnings (unknown keys) met on the way. */
    public record Loaded<T>(T config, List<String> warnings) {
        public Loaded {
            warnings = List.copyOf(warnings);
        }
    }

    private final Map<String, String> env;

    /** A loader reading overrides from {@code env} (tests pass a map; see {@link #master}). */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Loads {@code file} with the process environment's overrides, logging warnings. */
    public static MasterConfig master(Path file) {
        return logged(new ConfigLoader(System.getenv()).loadMaster(file));
    }

    /** Loads {@code file} with the process environment's overrides, logging warnings. */
    public static WorkerConfig worker(Path file) {
        return logged(new ConfigLoader(System.getenv()).loadWorker(file));
    }

    public Loaded<MasterConfig> loadMaster(Path file) {
        return parseMaster(read(file), file.toString());
    }

    public Loaded<WorkerConfig> loadWorker(Path file) {
        return parseWorker(read(file), file.toString());
    }

    /** Parses master JSON text; {@code source} names it in errors (a file name, "test", …). */
    public Loaded<MasterConfig> parseMaster(String json, String source) {
        return parse(json, source, "master", MasterConfigParser::parse);
    }

    /** Parses worker JSON text; {@code source} names it in errors. */
    public Loaded<WorkerConfig> parseWorker(String json, String source) {
        return parse(json, source, "worker", WorkerConfigParser::parse);
    }

    /**
     * The environment variables that override {@code key} for {@code role} ("master" or "worker"),
     * most specific first: {@code EMETH_MASTER_MIN_FEE}, {@code EMETH_MIN_FEE}.
     */
    public static List<String> envVars(String role, String key) {
        String k =
                key.replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                        .replaceAll("[^A-Za-z0-9]+", "_")
                        .toUpperCase(Locale.ROOT);
        return List.of("EMETH_" + role.toUpperCase(Locale.ROOT) + "_" + k, "EMETH_" + k);
    }

    private <T> Loaded<T> parse(
            String json, String source, String role, Function<ConfigReader, T> parser) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, null, "not valid JSON: " + jsonProblem(e), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigException(source, null, "file is empty; expected a JSON object {…}");
        }
        if (!root.isObject()) {
            throw new ConfigException(
                    source,
                    null,
                    "expected a JSON object {…} at the top, got " + ConfigReader.describe(root));
        }
        List<String> warnings = new ArrayList<>();
        ConfigReader reader = new ConfigReader((ObjectNode) root, source, "", role, env, warnings);
        T config = parser.apply(reader);
        reader.warnUnknownKeys();
        return new Loaded<>(config, warnings);
    }

    private static String read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ConfigException(
                        file.toString(),
                        null,
                        "file is "
                                + size
                                + " bytes, larger than the "
                                + MAX_FILE_BYTES
                                + "-byte limit for a config file; is it the right file?");
            }
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException(
                    file.toString(),
                    null,
                    "file not found; create it (`emeth dev up` prints a ready one) or pass its path");
        } catch (CharacterCodingException e) {
            throw new ConfigException(file.toString(), null, "not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses a JSON object given as text (an environment variable's value). */
    static JsonNode parseEmbedded(ConfigReader.Value value, String key) {
        try {
            return JSON.readTree(value.node().asText());
        } catch (JsonProcessingException e) {
            throw new ConfigException(
                    value.source(), key, "expected a JSON object, " + jsonProblem(e), e);
        }
    }

    private static String jsonProblem(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message != null && message.length() > 200) {
            message = message.substring(0, 200) + "…";
        }
        return e.getLocation() == null
                ? message
                : message
                        + " (line "
                        + e.getLocation().getLineNr()
                        + ", column "
                        + e.getLocation().getColumnNr()
                        + ")";
    }

    private static <T> T logged(Loaded<T> loaded) {
        loaded.warnings().forEach(log::warn);
        return loaded.config();
    }
}
