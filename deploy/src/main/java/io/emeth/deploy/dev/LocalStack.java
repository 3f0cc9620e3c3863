package io.emeth.deploy.dev;

import io.emeth.contracts.dev.Anvil;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.deploy.OperatorException;
import io.emeth.deploy.topics.TopicAdmin;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;

/**
 * The local stack behind {@code emeth dev up/down}: a KRaft Kafka broker, the dev services JVM
 * (schema registry and storage API), anvil with the contracts deployed and the dev accounts funded.
 * Each is a detached process with its data under {@code .emeth/}; a second {@code up} reuses what
 * runs, and data survives {@code down}/{@code up}.
 */
public final class LocalStack {
    static final String SERVICES = "services";
    public static final String ANVIL = "anvil";
    public static final String KAFKA = KafkaBroker.COMPONENT;
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** EMT minted to each dev node and requester account on first deployment. */
    static final BigInteger DEV_FUNDS =
            BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(100_000));

    private final StackLayout layout;
    private final DevOptions options;
    private final Daemons daemons;
    private final PrintStream out;

    public LocalStack(StackLayout layout, DevOptions options, PrintStream out) {
        this.layout = layout;
        this.options = options;
        this.daemons = new Daemons(layout);
        this.out = out;
    }

    /** Starts what is not running yet and returns the endpoints and contract addresses. */
    public StackState up() {
        NodeTools.requireNode(layout);
        String classpath = System.getProperty("java.class.path");
        KafkaBroker kafka = new KafkaBroker(layout, options.kafkaPort, options.kafkaControllerPort);
        if (daemons.running(KafkaBroker.COMPONENT).isEmpty()) {
            Ports.requireFree(options.kafkaPort, "Kafka", "--kafka-port");
            Ports.requireFree(
                    options.kafkaControllerPort, "the Kafka controller", "--kafka-controller-port");
            kafka.prepare(classpath);
            daemons.start(KafkaBroker.COMPONENT, kafka.command(classpath), KafkaBroker.MAIN_CLASS);
        }
        String rpcUrl = "http://127.0.0.1:" + options.anvilPort;
        if (daemons.running(ANVIL).isEmpty()) {
            Ports.requireFree(options.anvilPort, "anvil", "--anvil-port");
            daemons.start(ANVIL, anvilCommand(), "--prune-history");
        }
        Ports.await("anvil", START_TIMEOUT, () -> Ports.answers(options.anvilPort), logOf(ANVIL));
        report("Ethereum (anvil)", rpcUrl);

        String registryUrl = "http://127.0.0.1:" + options.registryPort;
        String storageUrl = "http://127.0.0.1:" + options.storagePort;
        StackState previous = StackState.read(layout.stateFile());
        StackState state =
                ensureContracts(
                        new StackState(
                                kafka.bootstrapServers(),
                                registryUrl,
                                storageUrl,
                                rpcUrl,
                                DevAccounts.CHAIN_ID,
                                null,
                                null,
                                null),
                        previous);
        state.write(layout.stateFile());
        report("EmethCore", state.emethContractAddress());
        report("EMT token", state.tokenContractAddress());

        Ports.await(
                "Kafka",
                START_TIMEOUT,
                () -> Ports.answers(options.kafkaPort),
                logOf(KafkaBroker.COMPONENT));
        report("Kafka", kafka.bootstrapServers());
        boolean contractsMoved =
                previous == null
                        || !state.emethContractAddress().equals(previous.emethContractAddress());
        if (contractsMoved) {
            // the storage server reads job data sets from the contract it was started with
            daemons.stop(SERVICES, Duration.ofSeconds(30));
        }
        if (daemons.running(SERVICES).isEmpty()) {
            Ports.requireFree(options.registryPort, "the schema registry", "--registry-port");
            Ports.requireFree(options.storagePort, "the storage dev server", "--storage-port");
            daemons.start(SERVICES, servicesCommand(classpath, state), DevServicesCommand.MARKER);
        }
        Ports.await(
                "the schema registry",
                START_TIMEOUT,
                () -> httpOk(registryUrl + "/subjects"),
                logOf(SERVICES));
        Ports.await(
                "the storage dev server",
                START_TIMEOUT,
                () -> Ports.answers(options.storagePort),
                logOf(SERVICES));
        report("Schema registry", registryUrl);
        report("Storage API", storageUrl);

        TopicAdmin.createMissing(state.kafkaBootstrapServers(), state.schemaRegistryUrl());
        report("Topics", "created");
        return state;
    }

    /** Stops every component (anvil first, so that it saves its state); returns what it stopped. */
    public List<String> down() {
        List<String> stopped = new ArrayList<>();
        for (String component : List.of(ANVIL, SERVICES, KafkaBroker.COMPONENT)) {
            if (daemons.stop(component, Duration.ofSeconds(30))) {
                stopped.add(component);
            }
        }
        return stopped;
    }

    /** The component's running process ({@link #ANVIL}, {@link #KAFKA}), if it runs. */
    public Optional<ProcessHandle> process(String component) {
        return daemons.running(component);
    }

    /** One line per component: running with its pid, or stopped. */
    public List<String> status() {
        List<String> lines = new ArrayList<>();
        for (String component : List.of(KafkaBroker.COMPONENT, SERVICES, ANVIL)) {
            lines.add(
                    daemons.running(component)
                            .map(p -> String.format("%-9s running (pid %d)", component, p.pid()))
                            .orElse(String.format("%-9s stopped", component)));
        }
        return lines;
    }

    private StackState ensureContracts(StackState fresh, StackState previous) {
        Web3j web3j = Web3j.build(new HttpService(fresh.ethereumEndpoint()));
        try {
            if (previous != null
                    && previous.emethContractAddress() != null
                    && hasCode(web3j, previous.emethContractAddress())) {
                return fresh.withContracts(
                        previous.tokenContractAddress(),
                        previous.emethContractAddress(),
                        previous.verifierAddress());
            }
            out.println("Deploying EmethCore and the EMT token to the dev chain ...");
            DevChain.Deployment deployment =
                    DevChain.deploy(web3j, DevAccounts.deployer(), DevAccounts.verifier());
            DevChain.fundDevAccounts(web3j, deployment, DEV_FUNDS);
            return fresh.withContracts(
                    deployment.tokenAddress(),
                    deployment.coreAddress(),
                    deployment.verifierAddress());
        } catch (Exception e) {
            throw new OperatorException(
                    "deploying the dev contracts failed: "
                            + e.getMessage()
                            + "; see "
                            + logOf(ANVIL),
                    e);
        } finally {
            web3j.shutdown();
        }
    }

    private static boolean hasCode(Web3j web3j, String address) throws IOException {
        String code = web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
        return code != null && code.length() > 2;
    }

    private List<String> servicesCommand(String classpath, StackState state) {
        List<String> command = new ArrayList<>(KafkaBroker.javaCommand(classpath, "256m"));
        command.add("-Demeth.root=" + layout.repoRoot());
        command.addAll(
                List.of(
                        "io.emeth.deploy.Emeth",
                        "dev",
                        "services",
                        "--bootstrap-servers",
                        state.kafkaBootstrapServers(),
                        "--ethereum-endpoint",
                        state.ethereumEndpoint(),
                        "--emeth-contract",
                        state.emethContractAddress(),
                        "--registry-port",
                        Integer.toString(options.registryPort),
                        "--storage-port",
                        Integer.toString(options.storagePort),
                        "--storage-dir",
                        layout.storage().toString()));
        return command;
    }

    private List<String> anvilCommand() {
        try {
            Files.createDirectories(layout.anvilState().getParent());
        } catch (IOException e) {
            throw new OperatorException(
                    "cannot create " + layout.anvilState().getParent() + ": " + e.getMessage());
        }
        List<String> command =
                new ArrayList<>(
                        Anvil.command(
                                Anvil.Options.defaults()
                                        .withPort(options.anvilPort)
                                        .withChainId(DevAccounts.CHAIN_ID)
                                        .withBlockTime(Duration.ofSeconds(options.blockTime))
                                        .withStateFile(layout.anvilState())
                                        // anvil also saves on SIGTERM; the interval bounds the
                                        // loss on a crash
                                        .withStateInterval(Duration.ofSeconds(30))
                                        .withBinary(NodeTools.anvil(layout))));
        if (options.mixedMining) {
            command.add("--mixed-mining");
        }
        return command;
    }

    private String logOf(String component) {
        return layout.log(component).toString();
    }

    private void report(String what, String where) {
        out.printf("  %-18s %s%n", what, where);
    }

    private static boolean httpOk(String url) {
        try {
            HttpResponse<Void> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(url))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
