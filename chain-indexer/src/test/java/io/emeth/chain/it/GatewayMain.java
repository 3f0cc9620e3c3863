package io.emeth.chain.it;

import io.emeth.chain.gateway.ChainGateway;
import io.emeth.chain.gateway.GatewayConfig;
import io.emeth.common.config.KafkaSettings;
import io.emeth.common.eth.NodeIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.Reader;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/** The gateway as a process of its own for the crash ITs; runs until killed. */
public final class GatewayMain {
    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
            p.load(in);
        }
        ChainGateway gateway = ChainGateway.start(fromProperties(p), new SimpleMeterRegistry());
        gateway.awaitStopped(Duration.ofDays(1));
    }

    /** The config as properties; the dev key is written to a test-only file. */
    public static Properties toProperties(GatewayConfig c) {
        Properties p = new Properties();
        p.setProperty("endpoint", c.endpoint().toString());
        p.setProperty("core", c.coreAddress());
        p.setProperty("token", c.tokenAddress());
        p.setProperty("key", c.identity().privateKeyHex());
        p.setProperty("pollMs", Long.toString(c.pollInterval().toMillis()));
        p.setProperty("txTimeoutMs", Long.toString(c.txTimeout().toMillis()));
        p.setProperty("bootstrap", c.kafka().bootstrapServers());
        p.setProperty("registry", c.kafka().schemaRegistryUrl().toString());
        p.setProperty("prefix", c.topicPrefix());
        p.setProperty("allowanceDeposits", Integer.toString(c.allowanceDeposits()));
        p.setProperty("allowanceLowWater", Integer.toString(c.allowanceLowWaterDeposits()));
        p.setProperty("maxInflightTxs", Integer.toString(c.maxInflightTxs()));
        p.setProperty("maxFeeCeilingWei", c.maxFeeCeilingWei().toString());
        if (c.startAllowanceFeeWei() != null) {
            p.setProperty("startAllowanceFeeWei", c.startAllowanceFeeWei().toString());
        }
        return p;
    }

    static GatewayConfig fromProperties(Properties p) {
        return new GatewayConfig(
                URI.create(p.getProperty("endpoint")),
                p.getProperty("core"),
                p.getProperty("token"),
                NodeIdentity.fromPrivateKey(p.getProperty("key")),
                Duration.ofMillis(Long.parseLong(p.getProperty("pollMs"))),
                Duration.ofMillis(Long.parseLong(p.getProperty("txTimeoutMs"))),
                GatewayConfig.DEFAULT_MAX_REPLACEMENTS,
                GatewayConfig.DEFAULT_FEE_BUMP_PERCENT,
                new KafkaSettings(
                        p.getProperty("bootstrap"),
                        URI.create(p.getProperty("registry")),
                        Map.of()),
                p.getProperty("prefix"),
                GatewayConfig.DEFAULT_RPC_TIMEOUT,
                Integer.parseInt(p.getProperty("allowanceDeposits")),
                Integer.parseInt(p.getProperty("allowanceLowWater")),
                Integer.parseInt(p.getProperty("maxInflightTxs")),
                new BigInteger(p.getProperty("maxFeeCeilingWei")),
                p.getProperty("startAllowanceFeeWei") == null
                        ? null
                        : new BigInteger(p.getProperty("startAllowanceFeeWei")));
    }
}
