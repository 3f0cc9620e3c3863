package io.emeth.chain.gateway;

import io.emeth.chain.ChainKafka;
import io.emeth.chain.Checks;
import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.common.config.GatewaySettings;
import io.emeth.common.config.KafkaSettings;
import io.emeth.common.config.MasterConfig;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.registry.SerdeConfig;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the chain gateway needs, validated once: the chain, the two contracts, the account it
 * sends from (its key never appears in {@link #toString()}), how it waits for receipts and replaces
 * stuck transactions, and where Kafka is. Built from {@code config/master.json} by {@link
 * #fromMaster(MasterConfig)}.
 *
 * @param endpoint Ethereum JSON-RPC, http(s) or ws(s)
 * @param coreAddress EmethCore (checksummed)
 * @param tokenAddress the EMT token (checksummed)
 * @param identity the account the gateway is the single writer for
 * @param pollInterval how often a receipt is polled
 * @param txTimeout a transaction pending longer is replaced with a higher fee
 * @param maxReplacements fee bumps per transaction before the gateway only waits
 * @param feeBumpPercent how much each replacement raises both fees (nodes require at least 10)
 * @param kafka brokers, registry and extra client properties
 * @param topicPrefix prefix of every topic name (tests); empty in production
 * @param rpcTimeout timeout of one JSON-RPC call
 * @param allowanceDeposits how many deposits of the job at hand an ERC-20 approve allows, so that
 *     one approve serves many {@code process} calls (1..1000)
 * @param allowanceLowWaterDeposits the allowance is topped up when it covers fewer deposits than
 *     this (1..allowanceDeposits); below one deposit the job at hand could not be taken
 * @param maxInflightTxs how many commands' transactions are signed, journaled and broadcast before
 *     their receipts are awaited (1..1000; 1 = one transaction at a time)
 * @param maxFeeCeilingWei a stuck transaction is never replaced with a max fee per gas above this
 * @param startAllowanceFeeWei the highest job fee the node takes (the master's {@code max_fee}): at
 *     start, before its first command, the gateway approves {@code allowanceDeposits} deposits of
 *     it when the allowance covers fewer than {@code allowanceLowWaterDeposits}, so that the first
 *     {@code process} calls of a burst do not wait for an approve; null or 0: no top-up at start
 */
public record GatewayConfig(
        URI endpoint,
        String coreAddress,
        String tokenAddress,
        NodeIdentity identity,
        Duration pollInterval,
        Duration txTimeout,
        int maxReplacements,
        int feeBumpPercent,
        KafkaSettings kafka,
        String topicPrefix,
        Duration rpcTimeout,
        int allowanceDeposits,
        int allowanceLowWaterDeposits,
        int maxInflightTxs,
        BigInteger maxFeeCeilingWei,
        BigInteger startAllowanceFeeWei) {

    public static final int DEFAULT_MAX_REPLACEMENTS = 5;
    public static final int DEFAULT_FEE_BUMP_PERCENT = 25;
    public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_ALLOWANCE_DEPOSITS = GatewaySettings.DEFAULT_ALLOWANCE_DEPOSITS;
    public static final int DEFAULT_ALLOWANCE_LOW_WATER_DEPOSITS =
            GatewaySettings.DEFAULT_ALLOWANCE_LOW_WATER_DEPOSITS;
    public static final int DEFAULT_MAX_INFLIGHT_TXS = GatewaySettings.DEFAULT_MAX_INFLIGHT_TXS;

    /** 1,000 gwei: far above a normal fee, low enough that a fee spike cannot drain the account. */
    public static final BigInteger DEFAULT_MAX_FEE_CEILING_WEI =
            GatewaySettings.DEFAULT_MAX_FEE_CEILING_WEI;

    public GatewayConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        EthEndpoint.requireSupported(endpoint);
        coreAddress = Checks.checkedAddress("emethContractAddress", coreAddress);
        tokenAddress = Checks.checkedAddress("tokenContractAddress", tokenAddress);
        Objects.requireNonNull(identity, "identity (privateKey)");
        Checks.requireBetween(
                "poll_interval_ms", pollInterval, Duration.ofMillis(10), Duration.ofMinutes(10));
        Checks.requireBetween(
                "tx_timeout_ms", txTimeout, Duration.ofMillis(100), Duration.ofHours(24));
        if (maxReplacements < 0 || maxReplacements > 100) {
            throw new IllegalArgumentException(
                    "max replacements " + maxReplacements + " is not in 0..100");
        }
        if (feeBumpPercent < 10 || feeBumpPercent > 1000) {
            throw new IllegalArgumentException(
                    "fee bump "
                            + feeBumpPercent
                            + " % is not in 10..1000 (nodes refuse replacements below +10 %)");
        }
        Objects.requireNonNull(kafka, "kafka");
        topicPrefix = topicPrefix == null ? "" : topicPrefix;
        Checks.requireBetween(
                "rpc timeout", rpcTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
        // the bounds of the master.json keys, checked (and worded) where they are read
        new GatewaySettings(
                maxInflightTxs, maxFeeCeilingWei, allowanceDeposits, allowanceLowWaterDeposits);
        if (startAllowanceFeeWei != null && startAllowanceFeeWei.signum() < 0) {
            throw new IllegalArgumentException(
                    "start allowance fee " + startAllowanceFeeWei + " wei is negative");
        }
    }

    /**
     * The gateway of the master's account: its endpoint, contracts, {@code privateKey}, {@code
     * poll_interval_ms}, {@code tx_timeout_ms}, Kafka settings, {@code max_inflight_txs}, {@code
     * max_fee_ceiling_wei}, {@code allowance_deposits} and {@code allowance_low_water_deposits};
     * the allowance at start covers deposits of its {@code max_fee}.
     */
    public static GatewayConfig fromMaster(MasterConfig master) {
        return fromMaster(master, "");
    }

    /** The same on topics under {@code topicPrefix} (the master's {@code topic_prefix}). */
    public static GatewayConfig fromMaster(MasterConfig master, String topicPrefix) {
        return new GatewayConfig(
                master.endpoint(),
                master.emethContractAddress(),
                master.tokenContractAddress(),
                master.identity(),
                master.pollInterval(),
                master.txTimeout(),
                DEFAULT_MAX_REPLACEMENTS,
                DEFAULT_FEE_BUMP_PERCENT,
                master.kafka(),
                topicPrefix,
                DEFAULT_RPC_TIMEOUT,
                master.gateway().allowanceDeposits(),
                master.gateway().allowanceLowWaterDeposits(),
                master.gateway().maxInflightTxs(),
                master.gateway().maxFeeCeilingWei(),
                master.maxFee());
    }

    /** The checksummed address the gateway sends from. */
    public String account() {
        return identity.address();
    }

    /**
     * The Kafka identity of this account's gateway: its consumer group and transactional id, so
     * that a second gateway for the same account fences the first (the topic prefix keeps tests on
     * one broker apart).
     */
    public String gatewayId() {
        return "emeth-gateway-" + topicPrefix + account().toLowerCase(Locale.ROOT);
    }

    public GatewayConfig withTxTimeout(Duration value) {
        return new GatewayConfig(
                endpoint,
                coreAddress,
                tokenAddress,
                identity,
                pollInterval,
                value,
                maxReplacements,
                feeBumpPercent,
                kafka,
                topicPrefix,
                rpcTimeout,
                allowanceDeposits,
                allowanceLowWaterDeposits,
                maxInflightTxs,
                maxFeeCeilingWei,
                startAllowanceFeeWei);
    }

    /** The same with another allowance: {@code deposits}, topped up below {@code lowWater}. */
    public GatewayConfig withAllowance(int deposits, int lowWater) {
        return new GatewayConfig(
                endpoint,
                coreAddress,
                tokenAddress,
                identity,
                pollInterval,
                txTimeout,
                maxReplacements,
                feeBumpPercent,
                kafka,
                topicPrefix,
                rpcTimeout,
                deposits,
                lowWater,
                maxInflightTxs,
                maxFeeCeilingWei,
                startAllowanceFeeWei);
    }

    /** The same topping the allowance up at start to deposits of {@code feeWei} (null: never). */
    public GatewayConfig withStartAllowanceFee(BigInteger feeWei) {
        return new GatewayConfig(
                endpoint,
                coreAddress,
                tokenAddress,
                identity,
                pollInterval,
                txTimeout,
                maxReplacements,
                feeBumpPercent,
                kafka,
                topicPrefix,
                rpcTimeout,
                allowanceDeposits,
                allowanceLowWaterDeposits,
                maxInflightTxs,
                maxFeeCeilingWei,
                feeWei);
    }

    /** The same with at most {@code value} transactions in flight. */
    public GatewayConfig withMaxInflightTxs(int value) {
        return new GatewayConfig(
                endpoint,
                coreAddress,
                tokenAddress,
                identity,
                pollInterval,
                txTimeout,
                maxReplacements,
                feeBumpPercent,
                kafka,
                topicPrefix,
                rpcTimeout,
                allowanceDeposits,
                allowanceLowWaterDeposits,
                value,
                maxFeeCeilingWei,
                startAllowanceFeeWei);
    }

    public Map<String, Object> kafkaProperties() {
        return ChainKafka.kafkaProperties(kafka);
    }

    public SerdeConfig serdeConfig() {
        return ChainKafka.serdeConfig(kafka);
    }

    @Override
    public String toString() {
        return "GatewayConfig[endpoint="
                + endpoint
                + ", coreAddress="
                + coreAddress
                + ", tokenAddress="
                + tokenAddress
                + ", account="
                + account()
                + ", pollInterval="
                + pollInterval
                + ", txTimeout="
                + txTimeout
                + ", maxReplacements="
                + maxReplacements
                + ", feeBumpPercent="
                + feeBumpPercent
                + ", kafka="
                + kafka
                + ", topicPrefix="
                + topicPrefix
                + ", allowanceDeposits="
                + allowanceDeposits
                + ", allowanceLowWaterDeposits="
                + allowanceLowWaterDeposits
                + ", maxInflightTxs="
                + maxInflightTxs
                + ", maxFeeCeilingWei="
                + maxFeeCeilingWei
                + ", startAllowanceFeeWei="
                + startAllowanceFeeWei
                + "]";
    }
}
