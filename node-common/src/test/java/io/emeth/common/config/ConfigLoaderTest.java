package io.emeth.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final String SRC = "config/master.json";
    static final String KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final String ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    static final String EMETH = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    static final String TOKEN = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

    static final ConfigLoader NO_ENV = new ConfigLoader(Map.of());

    /** The required keys plus {@code extra} (JSON members without braces). */
    static String master(String extra) {
        return "{\"emethContractAddress\": \""
                + EMETH
                + "\", \"tokenContractAddress\": \""
                + TOKEN
                + "\", \"privateKey\": \""
                + KEY
                + "\", \"storageApi\": \"http://127.0.0.1:8090\""
                + (extra.isEmpty() ? "" : ", " + extra)
                + "}";
    }

    static MasterConfig parse(String json) {
        return NO_ENV.parseMaster(json, SRC).config();
    }

    static void assertFails(String json, String... fragments) {
        var thrown = assertThatThrownBy(() -> parse(json)).isInstanceOf(ConfigException.class);
        for (String f : fragments) {
            thrown.hasMessageContaining(f);
        }
    }

    @Test
    void shouldReadTheGatewaysPipelineFeeCeilingAndAllowanceKeys() {
        MasterConfig c =
                parse(
                        master(
                                "\"max_inflight_txs\": 1, \"max_fee_ceiling_wei\":"
                                        + " \"2000000000000\", \"allowance_deposits\": 5,"
                                        + " \"allowance_low_water_deposits\": 5"));
        assertThat(c.gateway())
                .isEqualTo(new GatewaySettings(1, new BigInteger("2000000000000"), 5, 5));
        // and writes them back so that the file round-trips
        assertThat(parse(ConfigWriter.toJson(c)).gateway()).isEqualTo(c.gateway());
    }

    @Test
    void shouldNameTheGatewayKeyThatIsOutOfRange() {
        assertFails(
                master("\"max_inflight_txs\": 0"),
                "max_inflight_txs: must be between 1 and 1000, got 0");
        assertFails(
                master("\"max_inflight_txs\": 5000"),
                "max_inflight_txs: must be between 1 and 1000, got 5000");
        assertFails(master("\"max_fee_ceiling_wei\": 0"), "max_fee_ceiling_wei: must be positive");
        assertFails(
                master("\"max_fee_ceiling_wei\": -1"), "max_fee_ceiling_wei: must not be negative");
        assertFails(
                master("\"allowance_deposits\": 0"),
                "allowance_deposits: must be between 1 and 1000, got 0");
        assertFails(
                master("\"allowance_low_water_deposits\": 0"),
                "allowance_low_water_deposits: must be between 1 and 1000, got 0");
        assertFails(
                master("\"allowance_deposits\": 4, \"allowance_low_water_deposits\": 5"),
                "allowance_low_water_deposits: 5 is above allowance_deposits 4");
    }

    @Test
    void shouldApplyDefaultsThatWorkWithEmethDev() {
        // Given only the required keys
        MasterConfig c = parse(master(""));
        // Then every other key has its documented default
        assertThat(c.identity().address()).isEqualTo(ADDRESS);
        assertThat(c.poolId()).isEqualTo(ADDRESS);
        assertThat(c.endpoint()).isEqualTo(URI.create("http://127.0.0.1:8545"));
        assertThat(c.minFee()).isEqualTo(new BigInteger("10000000000000000000"));
        assertThat(c.maxFee()).isEqualTo(new BigInteger("30000000000000000000"));
        assertThat(c.cooperative()).isEqualTo(Cooperative.NVM);
        assertThat(c.workerWhitelist()).containsExactly("*");
        assertThat(c.jsonrpcWhitelist()).containsExactly("127.0.0.1");
        assertThat(c.readWhitelist()).containsExactly("127.0.0.1");
        assertThat(c.allowedHosts()).isEmpty();
        assertThat(c.externalDb()).isEmpty();
        assertThat(c.boardUrl()).isEmpty();
        assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(c.kafka().schemaRegistryUrl()).isEqualTo(URI.create("http://127.0.0.1:8081"));
        assertThat(c.confirmations()).isEqualTo(2);
        assertThat(c.reorgWindow()).isEqualTo(128);
        assertThat(c.gateway()).isEqualTo(GatewaySettings.DEFAULTS);
        assertThat(c.gateway().maxInflightTxs()).isEqualTo(32);
        assertThat(c.gateway().allowanceDeposits()).isEqualTo(20);
        assertThat(c.gateway().allowanceLowWaterDeposits()).isEqualTo(2);
        assertThat(c.gateway().maxFeeCeilingWei()).isEqualTo(new BigInteger("1000000000000"));
        assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.device()).isEqualTo("cpu");
    }

    @Test
    void shouldReadAnOriginalNodesFile() {
        // Given a file with the original keys, board_url spelled info_server_url
        String json =
                master(
                        "\"endpoint\": \"wss://rpc.example.org/ws\", \"batchSize\": 16,"
                                + " \"n_epochs\": 3, \"device\": \"cuda:1\", \"my_url\":"
                                + " \"http://10.0.0.5:5000\", \"worker_whitelist\": [\"10.0.0.0/8\","
                                + " \"::1\", \"localhost\"], \"jsonrpc_whitelist\": \"127.0.0.1,"
                                + " fe80::/10\", \"external_db\": {\"host\": \"db\", \"database\":"
                                + " \"emeth\", \"username\": \"node\", \"password\": \"s3cret\"},"
                                + " \"cooperative\": \"1v1\", \"info_server_url\":"
                                + " \"https://board.example.org\", \"min_fee\":"
                                + " \"12000000000000000000\", \"max_fee\": 1.5e19");
        MasterConfig c = parse(json);
        assertThat(c.endpoint().getScheme()).isEqualTo("wss");
        assertThat(c.batchSize()).isEqualTo(16);
        assertThat(c.nEpochs()).isEqualTo(3);
        assertThat(c.device()).isEqualTo("cuda:1");
        assertThat(c.workerWhitelist()).containsExactly("10.0.0.0/8", "::1", "localhost");
        assertThat(c.jsonrpcWhitelist()).containsExactly("127.0.0.1", "fe80::/10");
        assertThat(c.externalDb())
                .hasValueSatisfying(
                        db -> {
                            assertThat(db.jdbcUrl()).isEqualTo("jdbc:mariadb://db:3306/emeth");
                            assertThat(db.user()).isEqualTo("node");
                            assertThat(db.password()).isEqualTo("s3cret");
                        });
        assertThat(c.cooperative()).isEqualTo(Cooperative.ONE_V_ONE);
        assertThat(c.boardUrl()).contains(URI.create("https://board.example.org"));
        assertThat(c.minFee()).isEqualTo(new BigInteger("12000000000000000000"));
        assertThat(c.maxFee()).isEqualTo(new BigInteger("15000000000000000000"));
    }

    @Test
    void shouldKeepWeiPrecisionAbove2Pow63() {
        String big = "123456789012345678901234567890";
        MasterConfig c = parse(master("\"max_fee\": " + big));
        assertThat(c.maxFee()).isEqualTo(new BigInteger(big));
        assertThat(c.feeInWindow(new BigInteger(big))).isTrue();
        assertThat(c.feeInWindow(new BigInteger(big).add(BigInteger.ONE))).isFalse();
    }

    @Test
    void shouldNameTheKeyForMissingRequiredValues() {
        assertFails("{}", SRC + ": emethContractAddress: missing");
        assertFails(
                master("").replace("\"privateKey\": \"" + KEY + "\",", ""),
                SRC + ": privateKey: missing");
        assertFails(
                master("").replace(", \"storageApi\": \"http://127.0.0.1:8090\"", ""),
                SRC + ": storageApi: missing");
        assertFails(master("").replace(KEY, ""), "privateKey: missing");
    }

    @Test
    void shouldRejectMalformedJsonWithItsPosition() {
        assertFails("{\"a\": 1,,}", SRC + ": not valid JSON", "line 1");
        assertFails("[1, 2]", "expected a JSON object", "an array");
        assertFails(" ", SRC + ": file is empty");
        assertFails("{\"a\": 1} {\"b\": 2}", "not valid JSON");
        assertFails(master("\"batchSize\": 1, \"batchSize\": 2"), "Duplicate field 'batchSize'");
        assertFails("[".repeat(10_000) + "]".repeat(10_000), "not valid JSON", "nesting depth");
    }

    @Test
    void shouldRejectWrongTypesNamingKeyAndValue() {
        assertFails(
                master("\"batchSize\": true"),
                SRC + ": batchSize: expected a number, got boolean true");
        assertFails(master("\"batchSize\": 0"), "batchSize: must be between 1 and 65536, got 0");
        assertFails(
                master("\"reorg_window\": 0"), "reorg_window: must be between 1 and 10000, got 0");
        assertFails(master("\"batchSize\": 2.5"), "batchSize: must be a whole number, got 2.5");
        assertFails(
                master("\"worker_whitelist\": 5"), "worker_whitelist: expected a list of strings");
        assertFails(
                master("\"worker_whitelist\": [1]"),
                "worker_whitelist: expected strings in the list");
        assertFails(master("\"device\": 5"), "device: expected a string, got number 5");
        assertFails(
                master("\"device\": \"tpu\""), "device: must be \"cpu\", \"cuda\" or \"cuda:N\"");
        assertFails(master("\"kafka_properties\": [1]"), "kafka_properties: expected an object");
        assertFails(master("\"external_db\": 3"), "external_db: expected an object, got number 3");
    }

    @Test
    void shouldRejectBadFees() {
        assertFails(master("\"min_fee\": \"abc\""), SRC + ": min_fee: not a number: 'abc'");
        assertFails(master("\"min_fee\": -1"), "min_fee: must not be negative, got -1");
        assertFails(master("\"min_fee\": \"-5\""), "min_fee: must not be negative");
        assertFails(master("\"max_fee\": 0.5"), "max_fee: must be a whole number");
        assertFails(master("\"max_fee\": 1e999999"), "max_fee: number is out of range");
        assertFails(master("\"max_fee\": \"" + "9".repeat(500) + "\""), "max_fee: not a number");
        assertFails(
                master("\"min_fee\": \"40000000000000000000\""),
                "min_fee: 40000000000000000000 wei (40 EMT) is above max_fee"
                        + " 30000000000000000000 wei (30 EMT)");
    }

    @Test
    void shouldRejectBadAddresses() {
        assertFails(
                master("").replace(EMETH, "0x1234"),
                "emethContractAddress: not an Ethereum address (0x + 40 hex digits): '0x1234'");
        assertFails(
                master("").replace(TOKEN, TOKEN.replace('E', 'e').replace("0x", "0X")),
                "tokenContractAddress: not an Ethereum address");
        String badChecksum = "0xe7F1725E7734CE288F8367e1Bb143E90bb3F0512";
        assertFails(
                master("").replace(TOKEN, badChecksum),
                "tokenContractAddress: address has a wrong EIP-55 checksum");
        assertFails(
                master("\"worker_whitelist\": [\"10.0.0.300\"]"),
                "worker_whitelist: '10.0.0.300' is not an IP address");
        assertFails(master("\"jsonrpc_whitelist\": [\"10.0.0.0/33\"]"), "'10.0.0.0/33' is not");
        assertFails(master("\"jsonrpc_whitelist\": [\"example.com\"]"), "'example.com' is not");
        assertFails(master("\"read_whitelist\": [\"example.com\"]"), "read_whitelist: ");
        assertFails(
                master("\"allowed_hosts\": [\"http://node.example.org:5000\"]"),
                "allowed_hosts: 'http://node.example.org:5000' is not a host name");
    }

    @Test
    void shouldKeepTheReadWhitelistApartFromJsonRpcsWhenSet() {
        // Given a node whose metrics scraper may read but not call
        MasterConfig c =
                parse(
                        master(
                                "\"read_whitelist\": [\"10.0.0.0/8\"], \"allowed_hosts\":"
                                        + " [\"Node.Example.org\", \"[fe80::1]\"]"));
        // Then JSON-RPC keeps its default and host names are compared lower-case, IPv6 unbracketed
        assertThat(c.jsonrpcWhitelist()).containsExactly("127.0.0.1");
        assertThat(c.readWhitelist()).containsExactly("10.0.0.0/8");
        assertThat(c.allowedHosts()).containsExactly("node.example.org", "fe80::1");
        assertThat(NO_ENV.parseMaster(ConfigWriter.toJson(c), "written").config()).isEqualTo(c);
    }

    @Test
    void shouldRejectBadUrls() {
        assertFails(master("\"endpoint\": \"ftp://x\""), "endpoint: expected a ");
        assertFails(
                master("").replace("http://127.0.0.1:8090", "ws://x"), "storageApi: expected a ");
        assertFails(master("\"my_url\": \"http://\""), "my_url: ");
        assertFails(master("\"my_url\": \"http:///path\""), "my_url: URL has no host");
        assertFails(master("\"board_url\": \"not a url\""), "board_url: ");
        assertFails(
                master("\"schema_registry_url\": \"http://[::1\""),
                "schema_registry_url: not a URL");
        assertFails(
                master("\"kafka_bootstrap_servers\": \"localhost\""),
                "kafka_bootstrap_servers: expected host:port");
        assertFails(master("\"kafka_bootstrap_servers\": \"a:1,b:99999\""), "got 'b:99999'");
        assertFails(
                master("\"board_url\": \"https://a.org\", \"info_server_url\": \"https://b.org\""),
                "info_server_url: differs from board_url");
    }

    @Test
    void shouldRejectUnknownCooperativeModeNamingTheKey() {
        assertFails(
                master("\"cooperative\": \"all\""),
                SRC + ": cooperative: must be \"nvm\" or \"1v1\", got 'all'");
    }

    @Test
    void shouldWarnAboutUnknownKeysWithASuggestion() {
        var loaded =
                NO_ENV.parseMaster(
                        master("\"min_fees\": 1, \"_comment\": \"mine\", \"zzz\": 1"), SRC);
        assertThat(loaded.warnings())
                .containsExactly(
                        SRC + ": unknown key 'min_fees' ignored (did you mean 'min_fee'?)",
                        SRC + ": unknown key 'zzz' ignored");
    }

    @Test
    void shouldLetEnvironmentVariablesOverrideTheFile() {
        // Given a file and variables, one role-specific
        ConfigLoader loader =
                new ConfigLoader(
                        Map.of(
                                "EMETH_ENDPOINT", "http://rpc:8545",
                                "EMETH_MIN_FEE", "1",
                                "EMETH_MASTER_MIN_FEE", "2",
                                "EMETH_WORKER_WHITELIST", "10.1.0.0/16,localhost",
                                "EMETH_EXTERNAL_DB", "mysql://u:p%40ss@db.local:3307/emeth",
                                "EMETH_BATCH_SIZE", ""));
        MasterConfig c =
                loader.parseMaster(master("\"batchSize\": 4, \"min_fee\": 5"), SRC).config();
        // Then the variables win, the most specific first; empty ones are ignored
        assertThat(c.endpoint()).isEqualTo(URI.create("http://rpc:8545"));
        assertThat(c.minFee()).isEqualTo(BigInteger.TWO);
        assertThat(c.workerWhitelist()).containsExactly("10.1.0.0/16", "localhost");
        assertThat(c.batchSize()).isEqualTo(4);
        assertThat(c.externalDb().orElseThrow().port()).isEqualTo(3307);
        assertThat(c.externalDb().orElseThrow().user()).isEqualTo("u");
        assertThat(ConfigLoader.envVars("master", "emethContractAddress"))
                .containsExactly(
                        "EMETH_MASTER_EMETH_CONTRACT_ADDRESS", "EMETH_EMETH_CONTRACT_ADDRESS");
        assertThat(ConfigLoader.envVars("worker", "timeout.wait_data"))
                .containsExactly("EMETH_WORKER_TIMEOUT_WAIT_DATA", "EMETH_TIMEOUT_WAIT_DATA");
    }

    @Test
    void shouldNameTheVariableWhenAnOverrideIsBad() {
        ConfigLoader loader = new ConfigLoader(Map.of("EMETH_MAX_FEE", "lots"));
        assertThatThrownBy(() -> loader.parseMaster(master(""), SRC))
                .hasMessage("environment variable EMETH_MAX_FEE: max_fee: not a number: 'lots'");
        ConfigLoader badDb = new ConfigLoader(Map.of("EMETH_EXTERNAL_DB", "mysql://db/x"));
        assertThatThrownBy(() -> badDb.parseMaster(master(""), SRC))
                .hasMessageContaining("environment variable EMETH_EXTERNAL_DB: external_db:");
    }

    @Test
    void shouldNeverShowSecretsInToString() {
        MasterConfig c =
                parse(
                        master(
                                "\"external_db\": {\"host\": \"db\", \"database\": \"e\", \"user\":"
                                        + " \"u\", \"password\": \"hunter2\"}, \"kafka_properties\":"
                                        + " {\"sasl.jaas.config\": \"pw=topsecret\","
                                        + " \"security.protocol\": \"SASL_SSL\"}"));
        assertThat(c.toString())
                .doesNotContain(KEY.substring(2))
                .doesNotContain("hunter2")
                .doesNotContain("topsecret")
                .contains(ADDRESS)
                .contains("SASL_SSL");
        assertThatThrownBy(() -> parse(master("").replace(KEY, KEY.substring(0, 60) + "zzzz")))
                .hasMessageContaining("privateKey")
                .hasMessageNotContaining(KEY.substring(2, 30));
    }

    @Test
    void shouldRoundTripThroughTheWriter() {
        MasterConfig original =
                parse(
                        master(
                                "\"cooperative\": \"1v1\", \"external_db\": \"mysql://u:p@db/e\","
                                        + " \"board_url\": \"https://b.org\", \"max_fee\":"
                                        + " \"99999999999999999999999\", \"kafka_properties\":"
                                        + " {\"a\": \"b\"}"));
        String json = ConfigWriter.toJson(original);
        var reloaded = NO_ENV.parseMaster(json, "written");
        assertThat(reloaded.config()).isEqualTo(original);
        assertThat(reloaded.warnings()).isEmpty();
        assertThat(json).contains("\"min_fee\" : \"10000000000000000000\"");
    }
}
