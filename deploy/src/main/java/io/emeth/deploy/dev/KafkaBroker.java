package io.emeth.deploy.dev;

import io.emeth.deploy.OperatorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The local stack's Kafka: one KRaft node (broker and controller in one JVM, the official {@code
 * kafka.Kafka} main class) as a child JVM, with its data under {@code .emeth/kafka}. Replication
 * factors are 1 so that transactions and Kafka Streams work on a single node.
 */
final class KafkaBroker {
    static final String COMPONENT = "kafka";
    static final String MAIN_CLASS = "kafka.Kafka";

    private final StackLayout layout;
    private final int port;
    private final int controllerPort;

    KafkaBroker(StackLayout layout, int port, int controllerPort) {
        this.layout = layout;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The broker configuration, rewritten at each start so that port changes take effect. */
    String properties() {
        return String.join(
                "\n",
                "# written by `emeth dev up`; edits are overwritten",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:"
                        + port
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + layout.kafkaData(),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    /** Writes the configuration and formats the storage the first time only. */
    void prepare(String classpath) {
        try {
            Files.createDirectories(layout.kafkaData());
            Files.createDirectories(layout.logs());
            Files.writeString(layout.kafkaProperties(), properties());
            if (Files.exists(layout.kafkaData().resolve("meta.properties"))) {
                return;
            }
            List<String> format = new ArrayList<>(javaCommand(classpath, "256m"));
            format.addAll(
                    List.of(
                            "kafka.tools.StorageTool",
                            "format",
                            "--cluster-id",
                            Uuid.randomUuid().toString(),
                            "--config",
                            layout.kafkaProperties().toString(),
                            "--standalone"));
            Process process =
                    new ProcessBuilder(format)
                            .redirectErrorStream(true)
                            .redirectOutput(
                                    ProcessBuilder.Redirect.appendTo(
                                            layout.log(COMPONENT).toFile()))
                            .start();
            if (process.waitFor() != 0) {
                throw new OperatorException(
                        "formatting Kafka storage failed; see " + layout.log(COMPONENT));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("interrupted while formatting Kafka storage");
        }
    }

    List<String> command(String classpath) {
        List<String> command = new ArrayList<>(javaCommand(classpath, "512m"));
        command.add(MAIN_CLASS);
        command.add(layout.kafkaProperties().toString());
        return command;
    }

    static List<String> javaCommand(String classpath, String heap) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return List.of(
                java.toString(),
                "-Xmx" + heap,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                classpath);
    }
}
