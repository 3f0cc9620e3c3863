package io.emeth.master.testing;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Master configs for tests: a fixed account (anvil's first) and small, explicit timeouts. */
public final class TestConfigs {
    /** Anvil's first dev key; the pool id is its address. */
    public static final String MASTER_KEY =
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    public static final NodeIdentity MASTER = NodeIdentity.fromPrivateKey(MASTER_KEY);
    public static final BigInteger EMT = BigInteger.TEN.pow(18);

    private TestConfigs() {}

    /** The master.json text tests start from; {@code extra} is spliced in as raw JSON members. */
    public static String json(String cooperative, String extra) {
        return "{"
                + "\"emethContractAddress\": \"0x5FbDB2315678afecb367f032d93F642f64180aa3\","
                + "\"tokenContractAddress\": \"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\","
                + "\"privateKey\": \""
                + MASTER_KEY
                + "\","
                + "\"storageApi\": \"http://127.0.0.1:9\","
                + "\"cooperative\": \""
                + cooperative
                + "\","
                + "\"n_epochs\": 2,"
                + "\"worker_heartbeat_timeout_ms\": 30000,"
                + "\"timeout\": {\"wait_data\": 60000, \"idle\": 120000, \"learning\": 10000,"
                + " \"checkpoint\": 60000}"
                + (extra == null || extra.isBlank() ? "" : "," + extra)
                + "}";
    }

    public static MasterStreamsConfig config(String cooperative) {
        return config(cooperative, "");
    }

    /**
     * A config for tests that drive the topology record by record: the pool matches after every
     * record ({@code match_batch_ms} 0) and the router sends each heartbeat on its own ({@code
     * heartbeat_batch_ms} 0), unless {@code extra} sets them.
     */
    public static MasterStreamsConfig config(String cooperative, String extra) {
        List<String> members = new ArrayList<>();
        if (!extra.contains("match_batch_ms")) {
            members.add("\"match_batch_ms\": 0");
        }
        if (!extra.contains("heartbeat_batch_ms")) {
            members.add("\"heartbeat_batch_ms\": 0");
        }
        if (!extra.isBlank()) {
            members.add(extra);
        }
        return new MasterStreamsConfigLoader(Map.of())
                .parse(json(cooperative, String.join(",", members)), "test master.json")
                .config()
                // what the launcher reads from the chain: the network's 10 EMT
                .withVerifierFee(emt(10));
    }

    /** A deterministic worker key: {@code n} as a 32-byte private key. */
    public static NodeIdentity worker(int n) {
        String hex = Integer.toHexString(1_000 + n);
        return NodeIdentity.fromPrivateKey("0x" + "0".repeat(64 - hex.length()) + hex);
    }

    /** Topics on a fresh in-memory registry: serdes for processors driven without a topology. */
    public static Topics mockTopics() {
        return Topics.create(SerdeConfig.of("mock://" + UUID.randomUUID()));
    }

    public static BigInteger emt(long whole) {
        return BigInteger.valueOf(whole).multiply(EMT);
    }
}
