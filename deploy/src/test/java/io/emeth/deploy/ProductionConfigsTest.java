package io.emeth.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.common.config.ConfigException;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.ConfigWriter;
import io.emeth.common.config.MasterConfig;
import io.emeth.common.config.WorkerConfig;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.MasterApp;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import io.emeth.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The files in {@code deploy/production} can never drift from what the node accepts: each config
 * file loads with the real loaders once its placeholders are filled the way the README tells an
 * operator to (secrets from the environment file), every environment variable the files set changes
 * what the node loads, every systemd unit starts a real {@code emeth} command with options the
 * launcher declares, and the paths a process writes are inside the unit's writable paths.
 */
class ProductionConfigsTest {
    private static final Path DIR = Path.of("production");
    private static final Path MASTER_JSON = DIR.resolve("master.json");
    private static final Path WORKER_JSON = DIR.resolve("worker.json");
    private static final Path SECRETS_ENV = DIR.resolve("emeth.env.example");
    private static final Path WORKER_ENV = DIR.resolve("worker-N.env.example");
    private static final Path UNITS = DIR.resolve("systemd");
    private static final String LAUNCHER = "/opt/emeth/bin/emeth";

    /** Where the README installs the shipped files. */
    private static final Map<String, Path> INSTALLED =
            Map.of(
                    "/etc/emeth/master.json", MASTER_JSON,
                    "/etc/emeth/worker.json", WORKER_JSON,
                    "/etc/emeth/emeth.env", SECRETS_ENV);

    /** Variables the launcher script or picocli reads, not config keys. */
    private static final Set<String> LAUNCHER_VARS =
            Set.of("EMETH_JAVA_OPTS", "EMETH_HOME", "EMETH_MASTER_CONFIG", "EMETH_WORKER_CONFIG");

    /** What an operator fills in for the {@code <network: ...>} placeholders, by key. */
    private static final Map<String, String> NETWORK_SAMPLES =
            Map.of(
                    "emethContractAddress", "0x5fbdb2315678afecb367f032d93f642f64180aa3",
                    "tokenContractAddress", "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
                    "storageApi", "https://storage.example.org",
                    "start_block", "19000000");

    private static final NodeIdentity MASTER_KEY = NodeIdentity.generate();
    private static final String DB_PASSWORD = "sample-db-password";

    /** What an operator fills in for the {@code <secret: ...>} values of the env files. */
    private static final Map<String, String> SECRET_SAMPLES =
            Map.of(
                    "EMETH_MASTER_PRIVATE_KEY",
                    MASTER_KEY.privateKeyHex(),
                    "EMETH_MASTER_EXTERNAL_DB_PASSWORD",
                    DB_PASSWORD);

    private static final Pattern PLACEHOLDER = Pattern.compile("<(network|secret): (.*)>");
    private static final Pattern SECRET_HINT = Pattern.compile("set (EMETH_\\w+) in (\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldLoadMasterJsonWhenTheEnvironmentFileHoldsItsSecrets() throws IOException {
        // Given the shipped master.json, its network values filled and emeth.env's secrets set
        Map<String, String> env = masterEnv(Map.of());

        // When the master (and the indexer and admin-rpc, which use node-common's loader) load it
        ConfigLoader.Loaded<MasterStreamsConfig> streams =
                new MasterStreamsConfigLoader(env).loadFile(MASTER_JSON);
        ConfigLoader.Loaded<MasterConfig> node = new ConfigLoader(env).loadMaster(MASTER_JSON);

        // Then every key is known, and the production settings are what the README describes
        assertThat(streams.warnings()).isEmpty();
        assertThat(node.warnings()).isEmpty();
        MasterConfig c = node.config();
        assertThat(c.identity().address()).isEqualTo(MASTER_KEY.address());
        assertThat(c.externalDb())
                .hasValueSatisfying(db -> assertThat(db.password()).isEqualTo(DB_PASSWORD));
        assertThat(c.kafka().bootstrapServers().split(",")).hasSize(3);
        assertThat(c.kafka().schemaRegistryUrl().getPath()).isEqualTo("/apis/ccompat/v7");
        assertThat(c.kafka().properties()).containsEntry("security.protocol", "SSL");
        assertThat(streams.config().membership().instances()).isGreaterThan(1);
        assertThat(c.confirmations()).isGreaterThan(2);
        assertThat(c.startBlock()).isEqualTo(19_000_000L);
        assertThat(c.workerWhitelist()).doesNotContain("*");
        assertThat(c.jsonrpcWhitelist()).doesNotContain("*");
        assertThat(streams.config().master().poolId()).isEqualTo(MASTER_KEY.address());
    }

    @Test
    void shouldRefuseMasterJsonWhoseKeyOrNetworkValuesAreStillPlaceholders() throws IOException {
        // Given master.json as shipped, each placeholder the loader can reject left unfilled in
        // turn
        Map<String, String> placeholders = placeholders(readJson(MASTER_JSON));
        List<String> rejectable = new ArrayList<>(NETWORK_SAMPLES.keySet());
        rejectable.add("privateKey");
        for (String key : rejectable) {
            assertThat(placeholders).containsKey(key);
            Map<String, String> env = new HashMap<>(masterEnv(Map.of()));
            ConfigLoader.envVars("master", key).forEach(env::remove);

            // When the master loads it, Then it stops with an error naming that key
            assertThatThrownBy(() -> new MasterStreamsConfigLoader(env).loadFile(MASTER_JSON))
                    .as("placeholder of %s left in place", key)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key);
        }
    }

    @Test
    void shouldLoadWorkerJsonAsAGpuWorkerWithItsOwnDirectoriesPerGpu() throws IOException {
        // Given the shipped worker.json and the environment emeth-worker@0.service gives it
        Map<String, String> env = workerEnv(unitEnvironment(unit("emeth-worker@.service")));

        // When the worker loads it
        ConfigLoader.Loaded<WorkerConfig> loaded = new ConfigLoader(env).loadWorker(WORKER_JSON);

        // Then it trains on CUDA, with its own key and data under /var/lib/emeth/worker/0, and
        // takes the pool, Kafka and registry from its master
        assertThat(loaded.warnings()).isEmpty();
        WorkerConfig w = loaded.config();
        assertThat(w.device()).isEqualTo("cuda");
        assertThat(w.dataDir()).isEqualTo(Path.of("/var/lib/emeth/worker/0"));
        assertThat(w.keyFile()).isEqualTo(Path.of("/var/lib/emeth/worker/0/worker.key"));
        assertThat(w.modelsDir())
                .as("the pretrained checkpoints, shared read-only by the GPUs' workers")
                .isEqualTo(Path.of("/var/lib/emeth/models"));
        assertThat(w.identity()).as("the key is generated per GPU").isEmpty();
        assertThat(w.pool()).isEmpty();
        assertThat(w.kafkaBootstrapServers()).isEmpty();
        assertThat(w.schemaRegistryUrl()).isEmpty();
        assertThat(w.kafkaProperties()).containsEntry("security.protocol", "SSL");
        assertThat(unitEnvironment(unit("emeth-worker@.service")))
                .containsEntry("CUDA_VISIBLE_DEVICES", "0");
    }

    @Test
    void eachSecretPlaceholderShouldNameAVariableTheEnvironmentFileSets() throws IOException {
        // Given every <secret: set VAR in FILE> placeholder of the shipped JSON files
        Map<String, String> secretsFile = envFile(SECRETS_ENV);
        for (Map.Entry<String, String> p : placeholders(readJson(MASTER_JSON)).entrySet()) {
            Matcher kind = PLACEHOLDER.matcher(p.getValue());
            assertThat(kind.matches()).isTrue();
            if (kind.group(1).equals("network")) {
                assertThat(NETWORK_SAMPLES)
                        .as("a sample for %s", p.getKey())
                        .containsKey(p.getKey());
                continue;
            }
            Matcher hint = SECRET_HINT.matcher(kind.group(2));
            assertThat(hint.find()).as("%s names its variable and file", p.getKey()).isTrue();

            // Then the variable overrides that very key, and the named file declares it
            assertThat(ConfigLoader.envVars("master", p.getKey())).contains(hint.group(1));
            assertThat(INSTALLED.get(hint.group(2))).isEqualTo(SECRETS_ENV);
            assertThat(secretsFile).containsKey(hint.group(1));
        }
        assertThat(placeholders(readJson(WORKER_JSON))).isEmpty();
    }

    @Test
    void everyVariableTheDeployFilesSetShouldChangeWhatTheNodeLoads() throws IOException {
        // Given each environment the shipped files build: emeth.env with each master-side unit,
        // and the worker unit with worker-N.env
        for (String name : unitNames()) {
            Map<String, String> unitEnv = unitEnvironment(unit(name));
            boolean worker = name.startsWith("emeth-worker");
            Map<String, String> full =
                    worker ? workerEnv(merge(unitEnv, envFile(WORKER_ENV))) : masterEnv(unitEnv);
            String baseline = worker ? workerCanonical(full) : masterCanonical(full);
            Set<String> vars = new TreeSet<>(unitEnv.keySet());
            vars.addAll(worker ? envFile(WORKER_ENV).keySet() : envFile(SECRETS_ENV).keySet());
            for (String var : vars) {
                if (!var.startsWith("EMETH_") || LAUNCHER_VARS.contains(var)) {
                    continue;
                }
                Map<String, String> without = new HashMap<>(full);
                without.remove(var);

                // When the node loads its config without that one variable
                String changed;
                try {
                    changed = worker ? workerCanonical(without) : masterCanonical(without);
                } catch (ConfigException e) {
                    continue; // a required value: it matters
                }

                // Then the result differs: the variable names a key the loader reads
                assertThat(changed)
                        .as("%s in %s (or its env file) changes nothing the node loads", var, name)
                        .isNotEqualTo(baseline);
            }
        }
    }

    @Test
    void everyUnitShouldStartARealEmethCommandWithItsShippedConfig() throws IOException {
        Map<String, String> expected =
                Map.of(
                        "emeth-indexer.service", "indexer",
                        "emeth-gateway.service", "indexer",
                        "emeth-master@.service", "master",
                        "emeth-admin-rpc.service", "admin-rpc",
                        "emeth-worker@.service", "worker");
        assertThat(unitNames()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (String name : unitNames()) {
            // Given the unit's ExecStart
            List<String> exec = execStart(unit(name));
            assertThat(exec.get(0)).as(name).isEqualTo(LAUNCHER);

            // When the launcher's own command tree parses it
            List<String> args = withoutPendingOptions(exec.subList(1, exec.size()));
            ParseResult parsed = Emeth.commandLine().parseArgs(args.toArray(String[]::new));

            // Then it names the expected subcommand, and -c a config file this folder ships
            assertThat(parsed.hasSubcommand()).as(name).isTrue();
            ParseResult sub = parsed.subcommand();
            assertThat(sub.commandSpec().name()).as(name).isEqualTo(expected.get(name));
            String config = sub.matchedOptionValue("-c", null).toString();
            Path shipped = INSTALLED.get(config);
            assertThat(shipped)
                    .as("%s: -c %s is a file deploy/production ships", name, config)
                    .isNotNull();
            assertThat(shipped.getFileName().toString())
                    .isEqualTo(name.startsWith("emeth-worker") ? "worker.json" : "master.json");
        }
    }

    @Test
    void everyUnitShouldRunHardenedWithAHeapLimitAndWriteOnlyItsStateDirectories()
            throws IOException {
        for (String name : unitNames()) {
            Map<String, List<String>> unit = unit(name);
            Map<String, String> env = unitEnvironment(unit);

            // Then it runs as emeth, without privileges, on a read-only system, restarting
            assertThat(unit.get("User")).as(name).containsExactly("emeth");
            assertThat(unit.get("NoNewPrivileges")).as(name).containsExactly("yes");
            assertThat(unit.get("ProtectSystem")).as(name).containsExactly("strict");
            assertThat(unit.get("Restart")).as(name).containsExactly("on-failure");
            assertThat(env.get("EMETH_JAVA_OPTS")).as(name).contains("-Xmx");

            // And every path the process writes is one of its writable paths
            List<Path> writable =
                    unit.getOrDefault("ReadWritePaths", List.of()).stream()
                            .flatMap(v -> Stream.of(v.split("\\s+")))
                            .map(Path::of)
                            .toList();
            for (Path written : writtenPaths(name, env)) {
                assertThat(writable)
                        .as("%s writes %s", name, written)
                        .anySatisfy(dir -> assertThat(written.startsWith(dir)).isTrue());
            }
            if (name.startsWith("emeth-worker")) {
                // any of these closes the device policy, and CUDA needs /dev/nvidia*
                assertThat(unit)
                        .as(name)
                        .doesNotContainKeys(
                                "PrivateDevices", "ProtectClock", "DeviceAllow", "DevicePolicy");
            } else {
                assertThat(unit.get("EnvironmentFile")).as(name).contains("/etc/emeth/emeth.env");
            }
        }
    }

    @Test
    void kafkaPropertiesShouldBeSettingsTheKafkaClientsAccept() throws IOException {
        MasterConfig master =
                new ConfigLoader(masterEnv(Map.of())).loadMaster(MASTER_JSON).config();
        WorkerConfig worker =
                new ConfigLoader(workerEnv(Map.of())).loadWorker(WORKER_JSON).config();
        Set<String> known = new TreeSet<>();
        known.addAll(ProducerConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        known.addAll(StreamsConfig.configDef().names());
        known.addAll(
                Set.of(
                        SerdeConfig.REGISTRY_URL,
                        SerdeConfig.AUTO_REGISTER,
                        SerdeConfig.BASIC_AUTH_USER_INFO));
        for (Map<String, String> props :
                List.of(master.kafka().properties(), worker.kafkaProperties())) {
            // Then no key is a typo the clients would ignore
            Set<String> unknown = new TreeSet<>(props.keySet());
            unknown.removeAll(known);
            assertThat(unknown).as("kafka_properties no Kafka client knows").isEmpty();

            // And the clients parse and validate every value
            Map<String, Object> config = new HashMap<>(props);
            config.put("bootstrap.servers", master.kafka().bootstrapServers());
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            new ProducerConfig(config);
            new ConsumerConfig(config);
            new AdminClientConfig(config);
        }
        // And the master's Streams settings, with its membership, are valid and keep a standby
        Properties streams =
                MasterApp.streamsProperties(
                        new MasterStreamsConfigLoader(masterEnv(Map.of()))
                                .loadFile(MASTER_JSON)
                                .config());
        assertThat(new StreamsConfig(streams).getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG))
                .isEqualTo(1);
    }

    @Test
    void wrapperShouldRunTheLauncherFromTheInstalledLibFolder() throws IOException {
        Path wrapper = DIR.resolve("bin/emeth");
        String text = Files.readString(wrapper);
        assertThat(Files.isExecutable(wrapper)).isTrue();
        assertThat(text).contains(Emeth.class.getName()).contains("-cp \"$home/lib/*\"");
        assertThat(text).contains("${EMETH_JAVA_OPTS:-}");
    }

    @Test
    void readmeShouldDescribeEveryShippedFile() throws IOException {
        String readme = Files.readString(DIR.resolve("README.md"));
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String fileName = file.getFileName().toString();
                if (!fileName.equals("README.md")) {
                    assertThat(readme).as("README mentions %s", fileName).contains(fileName);
                }
            }
        }
    }

    // ---- the node's view of a config ----

    /** Every loaded value of master.json, in one string, secrets included. */
    private static String masterCanonical(Map<String, String> env) {
        MasterStreamsConfig c = new MasterStreamsConfigLoader(env).loadFile(MASTER_JSON).config();
        return ConfigWriter.toJson(c.master())
                + c.timeouts()
                + c.model()
                + c.aggregation()
                + c.topicPrefix()
                + c.streamThreads()
                + c.punctuateInterval();
    }

    private static String workerCanonical(Map<String, String> env) {
        return ConfigWriter.toJson(new ConfigLoader(env).loadWorker(WORKER_JSON).config());
    }

    /** The paths a unit's process writes, from the config it loads under the unit's environment. */
    private static List<Path> writtenPaths(String unit, Map<String, String> unitEnv)
            throws IOException {
        if (unit.startsWith("emeth-worker")) {
            WorkerConfig w = new ConfigLoader(workerEnv(unitEnv)).loadWorker(WORKER_JSON).config();
            return List.of(w.dataDir(), w.keyFile());
        }
        MasterConfig m = new ConfigLoader(masterEnv(unitEnv)).loadMaster(MASTER_JSON).config();
        return switch (unit) {
            case "emeth-master@.service" -> List.of(m.stateDir());
            case "emeth-admin-rpc.service" -> List.of(m.sqlitePath());
            default -> List.of();
        };
    }

    /**
     * The environment of a master-side unit: emeth.env with its secrets filled, the network
     * placeholders of master.json filled through their variables, and the unit's own variables.
     */
    private static Map<String, String> masterEnv(Map<String, String> unitEnv) throws IOException {
        Map<String, String> env = new HashMap<>();
        envFile(SECRETS_ENV)
                .forEach(
                        (var, value) -> {
                            if (PLACEHOLDER.matcher(value).matches()) {
                                if (!SECRET_SAMPLES.containsKey(var)) {
                                    fail("no sample value for " + var + " of " + SECRETS_ENV);
                                }
                                env.put(var, SECRET_SAMPLES.get(var));
                            } else {
                                env.put(var, value);
                            }
                        });
        for (String key : placeholders(readJson(MASTER_JSON)).keySet()) {
            if (NETWORK_SAMPLES.containsKey(key)) {
                env.put(ConfigLoader.envVars("master", key).get(0), NETWORK_SAMPLES.get(key));
            }
        }
        env.putAll(unitEnv);
        return env;
    }

    private static Map<String, String> workerEnv(Map<String, String> unitEnv) {
        return new HashMap<>(unitEnv);
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new HashMap<>(a);
        out.putAll(b);
        return out;
    }

    // ---- reading the shipped files ----

    private static JsonNode readJson(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /** Dotted key to text of every {@code <...>} string value. */
    private static Map<String, String> placeholders(JsonNode root) {
        Map<String, String> out = new LinkedHashMap<>();
        collectPlaceholders(root, "", out);
        return out;
    }

    private static void collectPlaceholders(JsonNode node, String prefix, Map<String, String> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                collectPlaceholders(v, key + ".", out);
            } else if (v.isTextual() && v.asText().startsWith("<")) {
                out.put(key, v.asText());
            }
        }
    }

    /** A systemd EnvironmentFile: {@code KEY=VALUE} lines, {@code #} comments. */
    private static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            assertThat(eq).as("%s: '%s' is KEY=VALUE", file, l).isPositive();
            out.put(l.substring(0, eq), unquote(l.substring(eq + 1)));
        }
        return out;
    }

    private static List<String> unitNames() throws IOException {
        try (Stream<Path> files = Files.list(UNITS)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".service"))
                    .sorted()
                    .toList();
        }
    }

    /**
     * A unit's directives (every section), values in order, instance {@code %i} = GPU/instance 0.
     */
    private static Map<String, List<String>> unit(String name) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(UNITS.resolve(name))) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("[")) {
                continue;
            }
            int eq = l.indexOf('=');
            assertThat(eq).as("%s: '%s' is Key=value", name, l).isPositive();
            String value = l.substring(eq + 1).replace("%i", "0").replace("%I", "0");
            out.computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static Map<String, String> unitEnvironment(Map<String, List<String>> unit) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : unit.getOrDefault("Environment", List.of())) {
            String a = unquote(assignment);
            int eq = a.indexOf('=');
            env.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return env;
    }

    private static List<String> execStart(Map<String, List<String>> unit) {
        List<String> exec = unit.get("ExecStart");
        assertThat(exec).hasSize(1);
        return List.of(exec.get(0).split("\\s+"));
    }

    /**
     * {@code emeth indexer --role indexer|gateway|both} splits the indexer and the gateway into two
     * units; until the launcher declares {@code --role}, its units are checked without it.
     */
    private static List<String> withoutPendingOptions(List<String> args) {
        CommandLine indexer = Emeth.commandLine().getSubcommands().get("indexer");
        if (!args.get(0).equals("indexer")
                || indexer.getCommandSpec().findOption("--role") != null) {
            return args;
        }
        List<String> out = new ArrayList<>(args);
        int role = out.indexOf("--role");
        if (role >= 0) {
            out.subList(role, role + 2).clear();
        }
        return out;
    }

    private static String unquote(String value) {
        String v = value.strip();
        if (v.length() >= 2
                && (v.startsWith("\"") && v.endsWith("\"")
                        || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
