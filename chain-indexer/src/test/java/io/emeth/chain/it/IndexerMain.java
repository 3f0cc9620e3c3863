package io.emeth.chain.it;

import io.emeth.chain.indexer.Indexer;
import io.emeth.chain.indexer.IndexerConfig;
import io.emeth.common.config.KafkaSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The indexer as a process of its own for the crash ITs: reads an {@link IndexerConfig} from a
 * properties file ({@link #toProperties}) and runs until killed.
 */
public final class IndexerMain {
    private IndexerMain() {}

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
            p.load(in);
        }
        Indexer indexer = Indexer.start(fromProperties(p), new SimpleMeterRegistry());
        indexer.awaitStopped(Duration.ofDays(1));
    }

    public static Properties toProperties(IndexerConfig c) {
        Properties p = new Properties();
        p.setProperty("endpoint", c.endpoint().toString());
        p.setProperty("contract", c.contractAddress());
        p.setProperty("confirmations", Integer.toString(c.confirmations()));
        p.setProperty("startBlock", Long.toString(c.startBlock()));
        p.setProperty("pollMs", Long.toString(c.pollInterval().toMillis()));
        p.setProperty("maxBlockRange", Integer.toString(c.maxBlockRange()));
        p.setProperty("id", c.indexerId());
        c.storageApi().ifPresent(s -> p.setProperty("storageApi", s.toString()));
        p.setProperty("bootstrap", c.kafka().bootstrapServers());
        p.setProperty("registry", c.kafka().schemaRegistryUrl().toString());
        p.setProperty("prefix", c.topicPrefix());
        return p;
    }

    static IndexerConfig fromProperties(Properties p) {
        return new IndexerConfig(
                URI.create(p.getProperty("endpoint")),
                p.getProperty("contract"),
                Integer.parseInt(p.getProperty("confirmations")),
                Long.parseLong(p.getProperty("startBlock")),
                Duration.ofMillis(Long.parseLong(p.getProperty("pollMs"))),
                Integer.parseInt(p.getProperty("maxBlockRange")),
                p.getProperty("id"),
                Optional.ofNullable(p.getProperty("storageApi")).map(URI::create),
                new KafkaSettings(
                        p.getProperty("bootstrap"),
                        URI.create(p.getProperty("registry")),
                        Map.of()),
                p.getProperty("prefix"),
                IndexerConfig.DEFAULT_RPC_TIMEOUT,
                Integer.parseInt(
                        p.getProperty(
                                "reorgWindow",
                                Integer.toString(IndexerConfig.DEFAULT_REORG_WINDOW))));
    }
}
