package io.emeth.common.config;

import io.emeth.common.eth.NodeIdentity;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The master's configuration, {@code config/master.json}, validated once at start by {@link
 * ConfigLoader}. The original node's keys keep their names so an operator can bring their file; the
 * new keys all have defaults that work with {@code emeth dev}. Any key can be overridden by an
 * environment variable (see {@link ConfigLoader#envVars}). {@link #toString()} shows no secret.
 *
 * <table>
 * <caption>Keys of config/master.json</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>emethContractAddress</td><td>required</td><td>EmethCore contract address</td></tr>
 * <tr><td>tokenContractAddress</td><td>required</td><td>EMT (ERC-20) token address</td></tr>
 * <tr><td>endpoint</td><td>http://127.0.0.1:8545</td><td>Ethereum JSON-RPC, http(s) or ws(s)</td></tr>
 * <tr><td>privateKey</td><td>required</td><td>the node account's key, 64 hex digits; never logged</td></tr>
 * <tr><td>storageApi</td><td>required</td><td>Emeth storage API base URL</td></tr>
 * <tr><td>batchSize</td><td>8</td><td>training batch size given to workers</td></tr>
 * <tr><td>n_epochs</td><td>1</td><td>epochs when a job's {@code param} names none</td></tr>
 * <tr><td>device</td><td>cpu</td><td>{@code cpu}, {@code cuda} or {@code cuda:N}</td></tr>
 * <tr><td>my_url</td><td>http://127.0.0.1:5000</td><td>where admin-rpc listens and workers reach the master</td></tr>
 * <tr><td>worker_whitelist</td><td>["*"]</td><td>who may call the worker endpoints: IPs, CIDRs, {@code *}, {@code localhost}, or 0x addresses</td></tr>
 * <tr><td>jsonrpc_whitelist</td><td>["127.0.0.1"]</td><td>who may call JSON-RPC (same forms)</td></tr>
 * <tr><td>read_whitelist</td><td>jsonrpc_whitelist</td><td>who may read the job board, the read API and {@code /metrics} (same forms); JSON-RPC stays behind {@code jsonrpc_whitelist} alone</td></tr>
 * <tr><td>allowed_hosts</td><td>[]</td><td>host names, besides {@code my_url}'s and the loopback names, that JSON-RPC requests may carry in their {@code Host} header (a DNS-rebinding page carries its own name)</td></tr>
 * <tr><td>external_db</td><td>none (SQLite)</td><td>{@code {host, port, database, user, password}} or {@code mysql://user:pass@host:port/db}</td></tr>
 * <tr><td>cooperative</td><td>nvm</td><td>{@code nvm} or {@code 1v1}, see {@link Cooperative}</td></tr>
 * <tr><td>board_url (or info_server_url)</td><td>none</td><td>the original job board; optional, the indexer replaces it</td></tr>
 * <tr><td>min_fee</td><td>10 EMT</td><td>lowest fee taken, in wei (number or decimal string)</td></tr>
 * <tr><td>max_fee</td><td>30 EMT</td><td>highest fee taken, in wei</td></tr>
 * <tr><td>kafka_bootstrap_servers</td><td>127.0.0.1:9092</td><td>Kafka brokers</td></tr>
 * <tr><td>schema_registry_url</td><td>http://127.0.0.1:8081</td><td>Confluent-compatible schema registry</td></tr>
 * <tr><td>kafka_properties</td><td>{}</td><td>extra Kafka client properties (TLS/SASL); secret-looking values masked in logs</td></tr>
 * <tr><td>confirmations</td><td>2</td><td>blocks a log must be buried under before it is indexed</td></tr>
 * <tr><td>start_block</td><td>0</td><td>first block the indexer reads when it has no checkpoint</td></tr>
 * <tr><td>reorg_window</td><td>128</td><td>confirmed blocks whose hashes the indexer keeps to find a reorg's fork point; a reorg below all of them stops indexing (1..10000)</td></tr>
 * <tr><td>max_inflight_txs</td><td>32</td><td>the gateway's transactions signed, journaled and broadcast before their receipts are in (1..1000; 1 = one at a time)</td></tr>
 * <tr><td>max_fee_ceiling_wei</td><td>1000 gwei</td><td>a stuck transaction is replaced with higher fees, never above this max fee per gas (wei, number or decimal string)</td></tr>
 * <tr><td>allowance_deposits</td><td>20</td><td>deposits one ERC-20 {@code approve} allows, so one approve serves many jobs (1..1000)</td></tr>
 * <tr><td>allowance_low_water_deposits</td><td>2</td><td>the allowance is topped up when it covers fewer deposits (1..allowance_deposits)</td></tr>
 * <tr><td>poll_interval_ms</td><td>1000</td><td>head polling interval for http(s) endpoints</td></tr>
 * <tr><td>tx_timeout_ms</td><td>120000</td><td>a transaction pending longer is replaced with a higher fee</td></tr>
 * <tr><td>worker_heartbeat_timeout_ms</td><td>30000</td><td>a worker silent longer is marked lost (at least three of the worker's own heartbeat intervals)</td></tr>
 * <tr><td>application_id</td><td>emeth-master</td><td>Kafka Streams application id (instances sharing it share the work)</td></tr>
 * <tr><td>state_dir</td><td>.emeth/master</td><td>Kafka Streams state directory</td></tr>
 * <tr><td>sqlite_path</td><td>.emeth/admin/emeth.db</td><td>the JDBC sink's SQLite file when external_db is not set</td></tr>
 * </table>
 *
 * <p>Keys starting with {@code _} are comments; other unknown keys are warned about and ignored.
 */
public record MasterConfig(
        String emethContractAddress,
        String tokenContractAddress,
        URI endpoint,
        NodeIdentity identity,
        URI storageApi,
        int batchSize,
        int nEpochs,
        String device,
        URI myUrl,
        List<String> workerWhitelist,
        List<String> jsonrpcWhitelist,
        Optional<ExternalDb> externalDb,
        Cooperative cooperative,
        Optional<URI> boardUrl,
        BigInteger minFee,
        BigInteger maxFee,
        KafkaSettings kafka,
        int confirmations,
        long startBlock,
        Duration pollInterval,
        Duration txTimeout,
        Duration workerHeartbeatTimeout,
        String applicationId,
        Path stateDir,
        Path sqlitePath,
        List<String> readWhitelist,
        List<String> allowedHosts,
        int reorgWindow,
        GatewaySettings gateway) {

    /** 1 EMT in wei (18 decimals). */
    public static final BigInteger EMT = BigInteger.TEN.pow(18);

    public static final BigInteger DEFAULT_MIN_FEE = EMT.multiply(BigInteger.valueOf(10));
    public static final BigInteger DEFAULT_MAX_FEE = EMT.multiply(BigInteger.valueOf(30));

    /** Default {@code reorg_window}: confirmed blocks whose hashes the indexer keeps. */
    public static final int DEFAULT_REORG_WINDOW = 128;

    public MasterConfig {
        Objects.requireNonNull(emethContractAddress, "emethContractAddress");
        Objects.requireNonNull(tokenContractAddress, "tokenContractAddress");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(identity, "identity (privateKey)");
        Objects.requireNonNull(storageApi, "storageApi");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(myUrl, "myUrl");
        workerWhitelist = List.copyOf(workerWhitelist);
        jsonrpcWhitelist = List.copyOf(jsonrpcWhitelist);
        Objects.requireNonNull(externalDb, "externalDb");
        Objects.requireNonNull(cooperative, "cooperative");
        Objects.requireNonNull(boardUrl, "boardUrl");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(txTimeout, "txTimeout");
        Objects.requireNonNull(workerHeartbeatTimeout, "workerHeartbeatTimeout");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(sqlitePath, "sqlitePath");
        Objects.requireNonNull(gateway, "gateway");
        readWhitelist = List.copyOf(readWhitelist);
        allowedHosts = List.copyOf(allowedHosts);
        if (minFee.signum() < 0 || maxFee.signum() < 0) {
            throw new IllegalArgumentException("fees must not be negative");
        }
        if (minFee.compareTo(maxFee) > 0) {
            throw new IllegalArgumentException("min_fee " + minFee + " is above max_fee " + maxFee);
        }
        if (reorgWindow < 1) {
            throw new IllegalArgumentException("reorg_window must be positive");
        }
        if (batchSize < 1 || nEpochs < 1 || confirmations < 0 || startBlock < 0) {
            throw new IllegalArgumentException(
                    "batchSize and n_epochs must be positive, confirmations and start_block"
                            + " not negative");
        }
    }

    /** The pool this master serves: its own account address. */
    public String poolId() {
        return identity.address();
    }

    /** Whether {@code fee} (wei) is inside {@code [min_fee, max_fee]}. */
    public boolean feeInWindow(BigInteger fee) {
        return fee.compareTo(minFee) >= 0 && fee.compareTo(maxFee) <= 0;
    }
}
