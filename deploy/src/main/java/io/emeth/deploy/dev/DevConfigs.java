package io.emeth.deploy.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.ConfigWriter;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.deploy.OperatorException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The ready-to-use configs for the local stack: {@code master.json} for dev account 1 and a {@code
 * worker.json} per dev worker (accounts 2 and 3), with the original keys plus the stack's
 * endpoints. Each is validated by the same loader the components use before it is written, so that
 * what {@code dev up} prints is known to load. The dev models ({@link DevModels}) are created
 * first: the workers' {@code models_dir} points at them and the master's {@code models} table names
 * them.
 */
public final class DevConfigs {
    /**
     * The dev workers' power capacity. A 1 MB job with a one-day deadline needs R = 5 gas × 10^6 /
     * 86,400 s ≈ 58, so at 40 each the {@code nvm} matcher takes both dev workers, and the demo
     * shows data-parallel training with an averaging round.
     */
    static final long DEV_POWER_CAPACITY = 40;

    private static final ObjectMapper JSON = new ObjectMapper();

    private DevConfigs() {}

    /** Writes the configs and prints the master's and the first worker's. */
    static void write(StackLayout layout, StackState state, int adminPort, PrintStream out) {
        String[] written = write(layout, state, adminPort);
        Path dir = layout.configDir();
        out.println();
        out.println(
                "# dev models in "
                        + DevModels.dir(layout)
                        + ": "
                        + DevModels.EN
                        + " (GPT-2's BPE), "
                        + DevModels.JA
                        + " (a small Japanese BPE); tiny random-initialised GPT-2s");
        out.println("# " + dir.resolve("master.json") + " (keys are anvil's public test keys)");
        out.println(written[0]);
        out.println("# " + dir.resolve("worker.json") + " (a second worker: worker-2.json)");
        out.println(written[1]);
    }

    /** Writes the configs; returns the master's and the first worker's JSON. */
    public static String[] write(StackLayout layout, StackState state, int adminPort) {
        DevModels.write(layout);
        ConfigLoader loader = new ConfigLoader(Map.of());
        String master =
                withModelsTable(
                        ConfigWriter.toJson(
                                loader.parseMaster(
                                                masterJson(layout, state, adminPort).toString(),
                                                "dev master.json")
                                        .config()));
        Path dir = layout.configDir();
        write(dir.resolve("master.json"), master);
        String firstWorker = null;
        for (int n = 0; n < 2; n++) {
            String worker =
                    ConfigWriter.toJson(
                            loader.parseWorker(
                                            workerJson(layout, state, adminPort, n).toString(),
                                            "dev worker.json")
                                    .config());
            write(dir.resolve(n == 0 ? "worker.json" : "worker-" + (n + 1) + ".json"), worker);
            firstWorker = firstWorker == null ? worker : firstWorker;
        }
        return new String[] {master, firstWorker};
    }

    public static Path master(StackLayout layout) {
        return layout.configDir().resolve("master.json");
    }

    /** The config of dev worker {@code n} (1 or 2). */
    static Path worker(StackLayout layout, int n) {
        return layout.configDir().resolve(n == 1 ? "worker.json" : "worker-" + n + ".json");
    }

    /**
     * Adds the dev {@code models} table to the master's written JSON. The master's config record
     * reads that key (issue 11, the master's part); until then {@link ConfigWriter} does not write
     * it back, so it is added here, after the loader has checked the rest.
     */
    static String withModelsTable(String masterJson) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(masterJson);
            o.set("models", JSON.valueToTree(DevModels.TABLE));
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("the dev master.json just written is not JSON", e);
        }
    }

    private static ObjectNode masterJson(StackLayout layout, StackState state, int adminPort) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("emethContractAddress", state.emethContractAddress());
        o.put("tokenContractAddress", state.tokenContractAddress());
        o.put("endpoint", state.ethereumEndpoint());
        o.put("privateKey", DevAccounts.get(1).privateKey());
        o.put("storageApi", state.storageApi());
        o.put("my_url", "http://127.0.0.1:" + adminPort);
        o.put("cooperative", "nvm");
        o.put("kafka_bootstrap_servers", state.kafkaBootstrapServers());
        o.put("schema_registry_url", state.schemaRegistryUrl());
        o.put("state_dir", layout.home().resolve("master").toString());
        o.put("sqlite_path", layout.home().resolve("admin/emeth.db").toString());
        return o;
    }

    private static ObjectNode workerJson(
            StackLayout layout, StackState state, int adminPort, int n) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("device", "cpu");
        o.put("master_node_url", "http://127.0.0.1:" + adminPort);
        o.put("powerCapacity", DEV_POWER_CAPACITY);
        o.put("privateKey", DevAccounts.get(2 + n).privateKey());
        o.put("kafka_bootstrap_servers", state.kafkaBootstrapServers());
        o.put("schema_registry_url", state.schemaRegistryUrl());
        o.put("data_dir", layout.home().resolve("worker-" + (n + 1)).toString());
        o.put("key_file", layout.home().resolve("worker-" + (n + 1) + "/key").toString());
        o.put("models_dir", DevModels.dir(layout).toString());
        return o;
    }

    private static void write(Path file, String json) {
        try {
            ConfigWriter.write(file, json);
        } catch (IOException e) {
            throw new OperatorException("could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
