package io.emeth.deploy.dev;

import picocli.CommandLine.Option;

/** The local stack's ports; the defaults are the ones the example configs use. */
public final class DevOptions {
    @Option(names = "--kafka-port", description = "Kafka broker port (default: ${DEFAULT-VALUE}).")
    int kafkaPort = 9092;

    @Option(
            names = "--kafka-controller-port",
            description = "Kafka KRaft controller port (default: ${DEFAULT-VALUE}).")
    int kafkaControllerPort = 9093;

    @Option(
            names = "--registry-port",
            description = "Schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort = 8081;

    @Option(
            names = "--storage-port",
            description = "Storage API dev server port (default: ${DEFAULT-VALUE}).")
    int storagePort = 8090;

    @Option(
            names = "--anvil-port",
            description = "anvil JSON-RPC port (default: ${DEFAULT-VALUE}).")
    int anvilPort = 8545;

    @Option(
            names = "--admin-port",
            description =
                    "Port of the node's admin-rpc (my_url in master.json; default: ${DEFAULT-VALUE}).")
    int adminPort = 5000;

    @Option(
            names = "--block-time",
            description = "Seconds between anvil blocks (default: ${DEFAULT-VALUE}).")
    int blockTime = 1;

    @Option(
            names = "--mixed-mining",
            description =
                    "Also mine a block for every transaction at once, besides one every --block-time"
                            + " (anvil --mixed-mining): a sender that waits for each receipt, like the"
                            + " chain gateway, is then not paced by the block time.")
    boolean mixedMining;
}
