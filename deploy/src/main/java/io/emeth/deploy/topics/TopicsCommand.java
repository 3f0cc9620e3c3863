package io.emeth.deploy.topics;

import io.emeth.schemas.TopicSpec;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code emeth topics}: the node's topics, as the event catalog defines them. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "List or create the node's Kafka topics.",
        subcommands = {TopicsCommand.ListTopics.class, TopicsCommand.Create.class})
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
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the node's topics and whether they exist.")
    static final class ListTopics implements Runnable {
        @picocli.CommandLine.Mixin Cluster cluster = new Cluster();

        @Override
        public void run() {
            List<TopicSpec> specs = Topics.create(SerdeConfig.of(cluster.registryUrl)).specs();
            Map<String, Integer> actual =
                    TopicAdmin.describe(
                            cluster.bootstrapServers, specs.stream().map(TopicSpec::name).toList());
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
                    TopicAdmin.createMissing(cluster.bootstrapServers, cluster.registryUrl);
            System.out.println(
                    created.isEmpty()
                            ? "All topics exist."
                            : "Created: " + String.join(", ", created));
        }
    }
}
