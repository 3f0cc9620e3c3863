package io.emeth.admin.support;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.MasterConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/** A {@code config/master.json} for the ITs, parsed by the real loader. */
public final class ItConfig {
    private ItConfig() {}

    /**
     * A master config on the IT broker and registry with the given keys; {@code extra} may set more
     * (endpoint, contract addresses, external_db …).
     */
    public static MasterConfig master(
            String privateKey, int port, Path sqlite, Consumer<ObjectNode> extra) {
        ObjectNode json =
                JsonNodeFactory.instance
                        .objectNode()
                        .put("emethContractAddress", "0x5FbDB2315678afecb367f032d93F642f64180aa3")
                        .put("tokenContractAddress", "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")
                        .put("privateKey", privateKey)
                        .put("storageApi", "http://127.0.0.1:9")
                        .put("my_url", "http://127.0.0.1:" + port)
                        .put("kafka_bootstrap_servers", ItKafka.bootstrapServers())
                        .put("schema_registry_url", ItKafka.registryUrl())
                        .put("sqlite_path", sqlite.toString());
        extra.accept(json);
        return new ConfigLoader(Map.of()).parseMaster(json.toString(), "it-master.json").config();
    }
}
