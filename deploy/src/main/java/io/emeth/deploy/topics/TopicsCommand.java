package io.emeth.deploy.topics;

import io.emeth.deploy.OperatorException;
import io.emeth.schemas.TopicSpec;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code emeth topics}: the node's topics, as the event catalog defines them. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "List, create or tail the node's Kafka topics.",
        subcommands = {
            TopicsCommand.ListTopics.class,
            TopicsCommand.Create.class,
            TopicsCommand.Tail.class
        })
public final class TopicsCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Options shared by the topic commands. */
    static final class Cluster {
        @Option(
                names = "--bootstrap-servers",
                defaultValue = "${env:EMETH_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
        String bootstrapServers;

        @Option(
                names = "--schema-registry-url",
                defaultValue = "${env:EMETH_SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081}",
                description = "Schema registry URL (default: ${DEFAULT-VALUE}).")
        String registryUrl;

        @Option(
                names = "--command-config",
                paramLabel = "<file>",
                description =
                        "Kafka client properties for a secured cluster (TLS/SASL), as for Kafka's"
                                + " own tools, e.g. /etc/emeth/kafka-admin.properties.")
        Path commandConfig;

        @Option(
                names = "--topic-prefix",
                defaultValue = "${env:EMETH_TOPIC_PREFIX:-}",
                description =
                        "The node's topic_prefix (master.json), when its topics carry one"
                                + " (default: none).")
        String topicPrefix = "";

        /** The client properties of {@code --command-config}; none without it. */
        Map<String, String> clientProperties() {
            if (commandConfig == null) {
                return Map.of();
            }
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(commandConfig, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new OperatorException(
                        "--command-config " + commandConfig + ": cannot read it (" + e + ")", e);
            }
            Map<String, String> out = new HashMap<>();
            properties.stringPropertyNames().forEach(k -> out.put(k, properties.getProperty(k)));
            return out;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the node's topics and whether they exist.")
    static final class ListTopics implements Runnable {
        @picocli.CommandLine.Mixin Cluster cluster = new Cluster();

        @Override
        public void run() {
            List<TopicSpec> specs =
                    Topics.create(SerdeConfig.of(cluster.registryUrl), cluster.topicPrefix).specs();
            Map<String, Integer> actual =
                    TopicAdmin.describe(
                            cluster.bootstrapServers,
                            specs.stream().map(TopicSpec::name).toList(),
                            cluster.clientProperties());
            System.out.printf(
                    "%-22s %-10s %-9s %s%n", "TOPIC", "PARTITIONS", "CLEANUP", "ON CLUSTER");
            for (TopicSpec spec : specs) {
                Integer partitions = actual.get(spec.name());
                System.out.printf(
                        "%-22s %-10d %-9s %s%n",
                        spec.name(),
                        spec.partitions(),
                        spec.cleanupPolicy(),
                        partitions == null ? "missing" : partitions + " partitions");
            }
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create the node's topics that are missing.")
    static final class Create implements Runnable {
        @picocli.CommandLine.Mixin Cluster cluster = new Cluster();

        @Override
        public void run() {
            List<String> created =
                    TopicAdmin.createMissing(
                            cluster.bootstrapServers,
                            cluster.registryUrl,
                            cluster.clientProperties(),
                            cluster.topicPrefix);
            System.out.println(
                    created.isEmpty()
                            ? "All topics exist."
                            : "Created: " + String.join(", ", created));
        }
    }

    @Command(
            name = "tail",
            mixinStandardHelpOptions = true,
            description = "Print a topic's records as JSON lines (Avro decoded with the registry).")
    static final class Tail implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Mixin Cluster cluster = new Cluster();

        @picocli.CommandLine.Parameters(paramLabel = "topic", description = "e.g. job-status")
        String topic;

        @Option(
                names = {"-n", "--last"},
                defaultValue = "10",
                description = "Records per partition before the end (default: ${DEFAULT-VALUE}).")
        int last;

        @Option(names = "--from-beginning", description = "Start at each partition's first record.")
        boolean fromBeginning;

        @Option(
                names = {"-f", "--follow"},
                description = "Keep printing new records until Ctrl-C.")
        boolean follow;

        @Override
        public Integer call() {
            try {
                return io.emeth.admin.cli.TopicTail.run(
                        new io.emeth.common.config.KafkaSettings(
                                cluster.bootstrapServers,
                                java.net.URI.create(cluster.registryUrl),
                                cluster.clientProperties()),
                        cluster.topicPrefix,
                        topic,
                        new io.emeth.admin.cli.TopicTail.Options(last, fromBeginning, follow),
                        () -> !Thread.currentThread().isInterrupted(),
                        System.out);
            } catch (IllegalArgumentException e) {
                throw new io.emeth.deploy.OperatorException(e.getMessage(), e);
            }
        }
    }
}
