package io.emeth.common.config;

import io.emeth.common.eth.NodeIdentity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** Builds a {@link MasterConfig} from a {@link ConfigReader}; see the key table there. */
final class MasterConfigParser {
    private MasterConfigParser() {}

    /**
     * Keys of the same file that only {@code emeth master} reads (its membership in the Streams
     * group); known here so that the indexer and admin-rpc, which load the file too, do not warn.
     */
    private static final List<String> MASTER_ONLY_KEYS = List.of("instance_id", "master_instances");

    static MasterConfig parse(ConfigReader r) {
        MASTER_ONLY_KEYS.forEach(r::value);
        String emeth = ConfigValues.address(r, "emethContractAddress");
        String token = ConfigValues.address(r, "tokenContractAddress");
        URI endpoint = r.uri("endpoint", URI.create("http://127.0.0.1:8545"), ConfigValues.RPC);
        var identity = identity(r);
        URI storageApi =
                r.optUri("storageApi", ConfigValues.HTTP)
                        .orElseThrow(
                                () ->
                                        r.error(
                                                null,
                                                "storageApi",
                                                "missing; the Emeth storage API's URL"));
        int batchSize = r.intNumber("batchSize", 8, 1, 65_536);
        int nEpochs = r.intNumber("n_epochs", 1, 1, 10_000);
        String device = ConfigValues.device(r, "device");
        URI myUrl = r.uri("my_url", URI.create("http://127.0.0.1:5000"), ConfigValues.HTTP);
        List<String> workerWhitelist = ConfigValues.whitelist(r, "worker_whitelist", List.of("*"));
        List<String> rpcWhitelist =
                ConfigValues.whitelist(r, "jsonrpc_whitelist", List.of("127.0.0.1"));
        var externalDb = ConfigValues.externalDb(r, "external_db");
        Cooperative cooperative = cooperative(r);
        Optional<URI> boardUrl = boardUrl(r);
        BigInteger[] fees = fees(r);
        KafkaSettings kafka = kafka(r);
        return new MasterConfig(
                emeth,
                token,
                endpoint,
                identity,
                storageApi,
                batchSize,
                nEpochs,
                device,
                myUrl,
                workerWhitelist,
                rpcWhitelist,
                externalDb,
                cooperative,
                boardUrl,
                fees[0],
                fees[1],
                kafka,
                r.intNumber("confirmations", 2, 0, 10_000),
                r.number("start_block", 0, 0, Long.MAX_VALUE),
                ConfigValues.millis(r, "poll_interval_ms", 1_000, 10, 3_600_000),
                ConfigValues.millis(r, "tx_timeout_ms", 120_000, 1_000, 86_400_000),
                ConfigValues.millis(r, "worker_heartbeat_timeout_ms", 30_000, 100, 86_400_000),
                r.string("application_id", "emeth-master"),
                ConfigValues.path(r, "state_dir", ".emeth/master"),
                ConfigValues.path(r, "sqlite_path", ".emeth/admin/emeth.db"),
                ConfigValues.whitelist(r, "read_whitelist", rpcWhitelist),
                ConfigValues.hostNames(r, "allowed_hosts"),
                r.intNumber("reorg_window", MasterConfig.DEFAULT_REORG_WINDOW, 1, 10_000),
                GatewaySettings.parse(r));
    }

    private static NodeIdentity identity(ConfigReader r) {
        return ConfigValues.identity(r, "privateKey")
                .orElseThrow(
                        () ->
                                r.error(
                                        null,
                                        "privateKey",
                                        "missing; the master signs transactions with it (64 hex"
                                                + " digits, or set EMETH_PRIVATE_KEY)"));
    }

    /** {@code [min_fee, max_fee]}, checked to leave a window. */
    private static BigInteger[] fees(ConfigReader r) {
        BigInteger minFee = r.wei("min_fee").orElse(MasterConfig.DEFAULT_MIN_FEE);
        BigInteger maxFee = r.wei("max_fee").orElse(MasterConfig.DEFAULT_MAX_FEE);
        if (minFee.compareTo(maxFee) > 0) {
            throw r.error(
                    r.value("min_fee"),
                    "min_fee",
                    emt(minFee) + " is above max_fee " + emt(maxFee) + "; no job could match");
        }
        return new BigInteger[] {minFee, maxFee};
    }

    private static KafkaSettings kafka(ConfigReader r) {
        return new KafkaSettings(
                ConfigValues.bootstrapServers(
                        r, "kafka_bootstrap_servers", KafkaSettings.DEFAULT_BOOTSTRAP_SERVERS),
                r.uri(
                        "schema_registry_url",
                        KafkaSettings.DEFAULT_SCHEMA_REGISTRY_URL,
                        ConfigValues.HTTP),
                r.stringMap("kafka_properties"));
    }

    private static Cooperative cooperative(ConfigReader r) {
        ConfigReader.Value v = r.value("cooperative");
        try {
            return Cooperative.parse(r.string("cooperative", "nvm"));
        } catch (IllegalArgumentException e) {
            throw r.error(v, "cooperative", e.getMessage());
        }
    }

    /** {@code board_url}, or {@code info_server_url} as the original's code spelled it. */
    private static Optional<URI> boardUrl(ConfigReader r) {
        Optional<URI> board = r.optUri("board_url", ConfigValues.HTTP);
        Optional<URI> info = r.optUri("info_server_url", ConfigValues.HTTP);
        if (board.isPresent() && info.isPresent() && !board.equals(info)) {
            throw r.error(
                    r.value("info_server_url"),
                    "info_server_url",
                    "differs from board_url; they are the same setting, keep one");
        }
        return board.or(() -> info);
    }

    /** "12000000000000000000 wei (12 EMT)". */
    static String emt(BigInteger wei) {
        BigDecimal emt = new BigDecimal(wei).movePointLeft(18).stripTrailingZeros();
        return wei + " wei (" + emt.toPlainString() + " EMT)";
    }
}
