package io.emeth.chain.indexer;

import io.emeth.chain.ChainKafka;
import io.emeth.chain.Checks;
import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.common.config.KafkaSettings;
import io.emeth.common.config.MasterConfig;
import io.emeth.schemas.registry.SerdeConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything the indexer needs, validated once: where the chain is, which contract to index, how
 * deep a log must be before it is emitted, and where Kafka is. Built from {@code
 * config/master.json} by {@link #fromMaster(MasterConfig)}; tests build it directly.
 *
 * @param endpoint Ethereum JSON-RPC; {@code ws(s)://} follows the head with {@code newHeads},
 *     {@code http(s)://} polls every {@code pollInterval}
 * @param contractAddress the EmethCore contract (checksummed)
 * @param confirmations blocks a log must be buried under before it is emitted (0: at once)
 * @param startBlock first block read when there is no checkpoint yet
 * @param pollInterval how often the head is polled (and the longest wait between checks on ws)
 * @param maxBlockRange largest {@code eth_getLogs} range; halved while the node refuses it
 * @param indexerId the Kafka transactional identity: a second indexer with the same id fences the
 *     first, so two never both write
 * @param storageApi the storage API asked for data set sizes; empty: sizes are left null
 * @param kafka brokers, registry and extra client properties
 * @param topicPrefix prefix of every topic name (tests); empty in production
 * @param rpcTimeout timeout of one JSON-RPC call
 * @param reorgWindow confirmed blocks whose hashes the indexer keeps (every one of them) to find
 *     the fork point of a reorg by comparing hashes; a reorg below all of them stops the indexer
 */
public record IndexerConfig(
        URI endpoint,
        String contractAddress,
        int confirmations,
        long startBlock,
        Duration pollInterval,
        int maxBlockRange,
        String indexerId,
        Optional<URI> storageApi,
        KafkaSettings kafka,
        String topicPrefix,
        Duration rpcTimeout,
        int reorgWindow) {

    public static final int DEFAULT_MAX_BLOCK_RANGE = 2_000;
    public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(30);
    public static final int MAX_CONFIRMATIONS = 10_000;
    public static final int MAX_BLOCK_RANGE_LIMIT = 100_000;
    public static final int DEFAULT_REORG_WINDOW = ChainWindow.DEFAULT_SIZE;
    public static final int MAX_REORG_WINDOW = 10_000;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public IndexerConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        EthEndpoint.requireSupported(endpoint);
        contractAddress = Checks.checkedAddress("emethContractAddress", contractAddress);
        if (confirmations < 0 || confirmations > MAX_CONFIRMATIONS) {
            throw new IllegalArgumentException(
                    "confirmations " + confirmations + " is not in 0.." + MAX_CONFIRMATIONS);
        }
        if (startBlock < 0) {
            throw new IllegalArgumentException("start_block " + startBlock + " is negative");
        }
        Checks.requireBetween(
                "poll_interval_ms", pollInterval, Duration.ofMillis(10), Duration.ofMinutes(10));
        if (maxBlockRange < 1 || maxBlockRange > MAX_BLOCK_RANGE_LIMIT) {
            throw new IllegalArgumentException(
                    "max block range " + maxBlockRange + " is not in 1.." + MAX_BLOCK_RANGE_LIMIT);
        }
        if (indexerId == null || !ID.matcher(indexerId).matches()) {
            throw new IllegalArgumentException(
                    "indexer id '"
                            + indexerId
                            + "' must be 1-200 characters of letters, digits, '.', '_' or '-'");
        }
        Objects.requireNonNull(storageApi, "storageApi");
        Objects.requireNonNull(kafka, "kafka");
        topicPrefix = topicPrefix == null ? "" : topicPrefix;
        Checks.requireBetween(
                "rpc timeout", rpcTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
        if (reorgWindow < 1 || reorgWindow > MAX_REORG_WINDOW) {
            throw new IllegalArgumentException(
                    "reorg_window " + reorgWindow + " is not in 1.." + MAX_REORG_WINDOW);
        }
    }

    /**
     * The indexer of the master's config: its endpoint, contract, {@code confirmations}, {@code
     * start_block}, {@code poll_interval_ms}, {@code reorg_window}, storage API and Kafka settings;
     * the identity is {@link #defaultIndexerId(String) derived from the contract}.
     */
    public static IndexerConfig fromMaster(MasterConfig master) {
        return fromMaster(master, "");
    }

    /**
     * The same on topics under {@code topicPrefix} (the master's {@code topic_prefix}); the prefix
     * also goes into the identity, so that indexers of two prefixed pipelines on one cluster never
     * fence each other.
     */
    public static IndexerConfig fromMaster(MasterConfig master, String topicPrefix) {
        String prefix = topicPrefix == null ? "" : topicPrefix;
        return new IndexerConfig(
                master.endpoint(),
                master.emethContractAddress(),
                master.confirmations(),
                master.startBlock(),
                master.pollInterval(),
                DEFAULT_MAX_BLOCK_RANGE,
                defaultIndexerId(master.emethContractAddress(), prefix),
                Optional.of(master.storageApi()),
                master.kafka(),
                prefix,
                DEFAULT_RPC_TIMEOUT,
                master.reorgWindow());
    }

    /** {@code emeth-indexer-<contract address in lower case>}: one writer per indexed contract. */
    public static String defaultIndexerId(String contractAddress) {
        return defaultIndexerId(contractAddress, "");
    }

    /** {@code emeth-indexer-<topic prefix><contract address in lower case>}. */
    public static String defaultIndexerId(String contractAddress, String topicPrefix) {
        return "emeth-indexer-" + topicPrefix + contractAddress.toLowerCase(Locale.ROOT);
    }

    public IndexerConfig withConfirmations(int value) {
        return new IndexerConfig(
                endpoint,
                contractAddress,
                value,
                startBlock,
                pollInterval,
                maxBlockRange,
                indexerId,
                storageApi,
                kafka,
                topicPrefix,
                rpcTimeout,
                reorgWindow);
    }

    public IndexerConfig withMaxBlockRange(int value) {
        return new IndexerConfig(
                endpoint,
                contractAddress,
                confirmations,
                startBlock,
                pollInterval,
                value,
                indexerId,
                storageApi,
                kafka,
                topicPrefix,
                rpcTimeout,
                reorgWindow);
    }

    public IndexerConfig withPollInterval(Duration value) {
        return new IndexerConfig(
                endpoint,
                contractAddress,
                confirmations,
                startBlock,
                value,
                maxBlockRange,
                indexerId,
                storageApi,
                kafka,
                topicPrefix,
                rpcTimeout,
                reorgWindow);
    }

    public IndexerConfig withReorgWindow(int value) {
        return new IndexerConfig(
                endpoint,
                contractAddress,
                confirmations,
                startBlock,
                pollInterval,
                maxBlockRange,
                indexerId,
                storageApi,
                kafka,
                topicPrefix,
                rpcTimeout,
                value);
    }

    public IndexerConfig withEndpoint(URI value) {
        return new IndexerConfig(
                value,
                contractAddress,
                confirmations,
                startBlock,
                pollInterval,
                maxBlockRange,
                indexerId,
                storageApi,
                kafka,
                topicPrefix,
                rpcTimeout,
                reorgWindow);
    }

    /** Kafka client properties: the bootstrap servers plus the configured extras. */
    public Map<String, Object> kafkaProperties() {
        return ChainKafka.kafkaProperties(kafka);
    }

    /** How the Avro serdes reach the registry (credentials from the Kafka extras, if any). */
    public SerdeConfig serdeConfig() {
        return ChainKafka.serdeConfig(kafka);
    }
}
