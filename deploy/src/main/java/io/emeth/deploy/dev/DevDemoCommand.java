package io.emeth.deploy.dev;

import com.fasterxml.jackson.databind.JsonNode;
import io.emeth.admin.cli.JobList;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.deploy.demo.Balances;
import io.emeth.deploy.demo.DemoCorpus;
import io.emeth.deploy.demo.DemoDisplay;
import io.emeth.deploy.demo.DemoRequester;
import io.emeth.deploy.demo.DevVerifier;
import io.emeth.deploy.demo.NodeApi;
import io.emeth.master.config.MasterStreamsConfigLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code emeth dev demo}: one real job from request to VERIFIED on this machine. Starts the local
 * stack, then the node as an operator runs it (indexer with the gateway, master, admin-rpc, two
 * workers: each a process of its own), has the dev requester post the bundled corpus, follows the
 * job through the node's read API (the data the job board shows), has the dev verifier verify it
 * and prints {@code joblist} and the EMT balances before and after. Exits 1 naming the step that
 * failed; {@code --keep} leaves everything running.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run one real job from request to VERIFIED: the local stack, the node's processes "
                    + "(indexer, master, admin-rpc, two workers), the dev requester and verifier.",
            "Stops what it started when it ends, unless --keep."
        })
final class DevDemoCommand implements Callable<Integer> {
    private static final int STEPS = 7;
    private static final Set<String> FAILED_STATES =
            Set.of("INELIGIBLE", "REJECTED", "TIMEOUT", "FAILED", "DECLINED", "CANCELED", "TAKEN");
    private static final Duration POLL = Duration.ofMillis(250);

    @Mixin DevOptions options;

    @Option(names = "--keep", description = "Leave the stack and the node running at the end.")
    boolean keep;

    @Option(
            names = "--fee",
            defaultValue = "20",
            description = "The job's fee in whole EMT (default: ${DEFAULT-VALUE}).")
    long fee;

    @Option(
            names = "--epochs",
            defaultValue = "2",
            description = "Epochs to train (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--step-timeout",
            defaultValue = "180",
            description =
                    "Seconds any one step may take before the demo fails (default: ${DEFAULT-VALUE}).")
    long stepTimeoutSeconds;

    /** A step that failed, with what the operator should look at. */
    static final class StepFailed extends RuntimeException {
        final String step;

        StepFailed(String step, String message, Throwable cause) {
            super(message, cause);
            this.step = step;
        }
    }

    private StackLayout layout;
    private DemoDisplay display;
    private NodeProcesses node;
    private final List<String> startedNode = new ArrayList<>();
    private boolean startedStack;
    private String step = "start";

    @Override
    public Integer call() {
        long started = System.nanoTime();
        // the demo narrates what its own INFO logs would repeat; the processes log to .emeth/logs
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.emeth"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        layout = StackLayout.fromEnvironment();
        display = new DemoDisplay(System.out, System.console() != null, STEPS);
        node = new NodeProcesses(layout);
        Thread cleanup = new Thread(this::stopWhatItStarted, "demo-interrupted");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            run();
            System.out.printf(
                    "%nDemo finished in %.0f s.%n",
                    Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0);
            return 0;
        } catch (StepFailed e) {
            System.err.println();
            System.err.println("emeth dev demo: step '" + e.step + "' failed: " + e.getMessage());
            System.err.println("  logs of every process: " + layout.logs());
            return 1;
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            stopWhatItStarted();
        }
    }

    private void run() {
        StackState state =
                step(
                        1,
                        "Start the local stack (Kafka, anvil + contracts, registry, storage)",
                        () -> startStack());
        URI admin = URI.create("http://127.0.0.1:" + options.adminPort);
        NodeApi api = new NodeApi(admin);
        step(
                2,
                "Start the node: indexer + gateway, master, admin-rpc, two workers",
                () -> {
                    startNode(api);
                    return null;
                });
        Web3j web3j = Web3j.build(new HttpService(state.ethereumEndpoint()));
        try {
            Map<String, String> accounts = new LinkedHashMap<>();
            accounts.put("requester (account 4)", DevAccounts.get(4).address());
            accounts.put("node (account 1)", DevAccounts.get(1).address());
            accounts.put("verifier (account 0)", DevAccounts.get(0).address());
            accounts.put("EmethCore (escrow)", state.emethContractAddress());
            Balances before =
                    call(
                            "read balances",
                            () -> Balances.read(web3j, state.tokenContractAddress(), accounts));
            byte[] corpus = DemoCorpus.english();
            String jobId =
                    step(
                            3,
                            "Request a job: the bundled corpus, "
                                    + fee
                                    + " EMT, "
                                    + epochs
                                    + " epochs",
                            () -> request(web3j, state, corpus));
            step(
                    4,
                    "Matching: the master picks workers and takes the job on chain",
                    () -> {
                        match(api, jobId);
                        return null;
                    });
            step(
                    5,
                    "Training: " + epochs + " epochs, data-parallel, one averaging round each",
                    () -> {
                        train(api, jobId);
                        return null;
                    });
            step(
                    6,
                    "Upload the model and submit it on chain",
                    () -> {
                        submit(api, jobId);
                        return null;
                    });
            step(
                    7,
                    "Verify (the dev verifier stands in for the network's)",
                    () -> {
                        verify(web3j, state, api, jobId, corpus.length);
                        return null;
                    });
            Balances after =
                    call(
                            "read balances",
                            () -> Balances.read(web3j, state.tokenContractAddress(), accounts));
            BigInteger verifierFee =
                    call(
                            "read VERIFIER_FEE",
                            () ->
                                    EmethCoreReader.of(
                                                    web3j,
                                                    state.emethContractAddress(),
                                                    DevAccounts.get(4).address())
                                            .rates()
                                            .verifierFee());
            report(before, after, verifierFee, api);
        } finally {
            web3j.shutdown();
        }
    }

    private StackState startStack() throws IOException {
        startedStack =
                new LocalStack(layout, options, nullStream())
                        .status().stream().anyMatch(line -> line.contains("stopped"));
        PrintStream indented = indented(display.out());
        StackState state = new LocalStack(layout, options, indented).up();
        DevConfigs.write(layout, state, options.adminPort);
        display.done("stack up; configs in %s", layout.configDir());
        return state;
    }

    private void startNode(NodeApi api) {
        for (String component : NodeProcesses.COMPONENTS) {
            if (component.startsWith("worker-")) {
                await(
                        "admin-rpc answers at " + api.board().resolve("/health"),
                        () -> api.healthy(),
                        NodeProcesses.ADMIN_RPC);
            }
            if (node.start(component)) {
                startedNode.add(component);
                display.info("started %-9s log: %s", component, node.log(component));
            } else {
                display.info("reusing %-9s (already running)", component);
            }
        }
        Set<String> workers =
                Set.of(
                        DevAccounts.get(2).address().toLowerCase(),
                        DevAccounts.get(3).address().toLowerCase());
        await(
                "both workers registered and idle",
                () -> idleWorkers(api).containsAll(workers),
                NodeProcesses.WORKER_1,
                NodeProcesses.WORKER_2,
                NodeProcesses.MASTER);
        display.done("the node runs; two workers idle");
    }

    private static Set<String> idleWorkers(NodeApi api) throws IOException {
        return StreamSupport.stream(api.workers().spliterator(), false)
                .filter(w -> "IDLE".equals(w.path("state").asText()))
                .map(w -> w.path("address").asText().toLowerCase())
                .collect(Collectors.toSet());
    }

    private String request(Web3j web3j, StackState state, byte[] corpus) throws Exception {
        long deadline = DevChain.latestTimestamp(web3j) + 24 * 3600;
        String jobId =
                new DemoRequester(
                                web3j,
                                state.deployment(),
                                DevAccounts.requester(),
                                URI.create(state.storageApi()))
                        .request(
                                new DemoRequester.JobRequest(
                                        "demo-corpus-en",
                                        corpus,
                                        EmethRules.emt(fee),
                                        epochs,
                                        "en",
                                        deadline));
        display.done(
                "job %s requested (%,d bytes of text, deadline in 24 h)", jobId, corpus.length);
        return jobId;
    }

    private void match(NodeApi api, String jobId) {
        JsonNode job =
                awaitJob(
                        api,
                        jobId,
                        "the master matches the job",
                        j -> !"REQUESTED".equals(j.path("state").asText()),
                        NodeProcesses.INDEXER,
                        NodeProcesses.MASTER);
        List<String> workers = new ArrayList<>();
        job.path("contributions").forEach(c -> workers.add(c.path("workerAddress").asText()));
        display.info("matched to %d worker(s): %s", workers.size(), String.join(", ", workers));
        awaitJob(
                api,
                jobId,
                "the `process` transaction (chain status PROCESSING)",
                j ->
                        !"REQUESTED".equals(j.path("chainStatus").asText("REQUESTED"))
                                && !j.path("chainStatus").isNull(),
                NodeProcesses.INDEXER,
                NodeProcesses.MASTER);
        display.done("the node took the job on chain (process, deposit paid)");
    }

    private void train(NodeApi api, String jobId) {
        JsonNode job = jobOrFail(api, jobId);
        int workers = Math.max(1, job.path("contributions").size());
        long units = (long) epochs * (workers + 1);
        try (DemoDisplay.Bar bar = display.bar("shards + rounds", units)) {
            awaitJob(
                    api,
                    jobId,
                    "training to finish",
                    j -> {
                        bar.update(Math.min(units, trainingUnits(j)), trainingMessage(j));
                        return hasHistory(j, "RESULT_UPLOADED")
                                || Set.of("SUBMITTING", "SUBMITTED", "VERIFIED")
                                        .contains(j.path("state").asText());
                    },
                    NodeProcesses.WORKER_1,
                    NodeProcesses.WORKER_2,
                    NodeProcesses.MASTER);
        }
        JsonNode done = jobOrFail(api, jobId);
        JsonNode losses = done.path("losses");
        List<String> curve = new ArrayList<>();
        losses.forEach(
                p ->
                        curve.add(
                                String.format(
                                        "epoch %d: %.3f",
                                        p.path("epoch").asInt(),
                                        p.path("validationLoss").asDouble())));
        display.done("trained; validation loss %s", String.join(" → ", curve));
    }

    private static long trainingUnits(JsonNode job) {
        int attempt = job.path("numAttempt").asInt(1);
        long units = 0;
        for (JsonNode entry : job.path("history")) {
            String kind = entry.path("kind").asText();
            if (entry.path("numAttempt").asInt(1) == attempt
                    && (kind.equals("SHARD_TRAINED") || kind.equals("ROUND_AGGREGATED"))) {
                units++;
            }
        }
        return units;
    }

    private static boolean hasHistory(JsonNode job, String kind) {
        for (JsonNode entry : job.path("history")) {
            if (kind.equals(entry.path("kind").asText())) {
                return true;
            }
        }
        return false;
    }

    private String trainingMessage(JsonNode job) {
        JsonNode losses = job.path("losses");
        String loss =
                losses.isEmpty()
                        ? ""
                        : String.format(
                                " · val loss %.3f",
                                losses.get(losses.size() - 1).path("validationLoss").asDouble());
        return "epoch " + Math.max(1, job.path("epoch").asInt()) + "/" + epochs + loss;
    }

    private void submit(NodeApi api, String jobId) {
        JsonNode job =
                awaitJob(
                        api,
                        jobId,
                        "the `submit` transaction (chain status SUBMITTED)",
                        j ->
                                "SUBMITTED".equals(j.path("chainStatus").asText())
                                        || "VERIFIED".equals(j.path("chainStatus").asText()),
                        NodeProcesses.INDEXER,
                        NodeProcesses.MASTER);
        display.done("model uploaded as %s and submitted", job.path("resultFileName").asText("?"));
    }

    private void verify(Web3j web3j, StackState state, NodeApi api, String jobId, long bytes)
            throws Exception {
        DevVerifier verifier = new DevVerifier(web3j, state.deployment(), DevAccounts.verifier());
        if (!verifier.verifyIfSubmitted(jobId, bytes, EmethRules.GPT_COMPLEXITY)) {
            throw new IllegalStateException(
                    "job " + jobId + " is " + verifier.status(jobId) + " on chain, not SUBMITTED");
        }
        awaitJob(
                api,
                jobId,
                "the node to see VERIFIED",
                j -> "VERIFIED".equals(j.path("state").asText()),
                NodeProcesses.INDEXER,
                NodeProcesses.MASTER,
                NodeProcesses.ADMIN_RPC);
        display.done("VERIFIED: the contract paid out (EMT balances below)");
    }

    private void report(Balances before, Balances after, BigInteger verifierFee, NodeApi api) {
        PrintStream out = display.out();
        out.println();
        out.println("emeth joblist:");
        call(
                "joblist",
                () ->
                        JobList.run(
                                MasterStreamsConfigLoader.load(DevConfigs.master(layout)).master(),
                                indented(out)));
        out.println();
        out.println("EMT balances:");
        before.printChange(after, out);
        out.println();
        // reported as the contract paid out, never checked against an expectation: the network's
        // contract decides (today it pays the verifier VERIFIER_FEE, the node the rest of the
        // fee, and keeps the node's deposit: a node earns through slot rewards)
        out.println(
                "The changes are what the contract paid out. Its VERIFIER_FEE is "
                        + Balances.emt(verifierFee)
                        + " EMT; the node's share of this day's reward slot can be withdrawn with"
                        + " `emeth withdraw` once the slot (UTC day) has closed.");
        if (keep) {
            out.println("Job board: " + api.board());
            out.println("Everything is left running (--keep); stop it with `./emeth dev down`.");
        } else {
            out.println("Job board: " + api.board() + " (while the node runs: dev demo --keep)");
        }
    }

    /** Runs a numbered step; any failure becomes a {@link StepFailed} naming it. */
    private <T> T step(int n, String title, Callable<T> body) {
        display.step(n, title);
        step = title;
        return call(title, body);
    }

    private <T> T call(String what, Callable<T> body) {
        try {
            return body.call();
        } catch (StepFailed e) {
            throw e;
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new StepFailed(step, message, e);
        }
    }

    /** A condition the demo waits for, with the processes whose logs explain a failure. */
    private interface Check {
        boolean holds() throws Exception;
    }

    private void await(String what, Check check, String... suspects) {
        long deadline = System.nanoTime() + Duration.ofSeconds(stepTimeoutSeconds).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (String suspect : suspects) {
                if (startedNode.contains(suspect) && !node.running(suspect)) {
                    throw new StepFailed(
                            step,
                            suspect
                                    + " exited while waiting for "
                                    + what
                                    + "; last lines of its log:\n"
                                    + tail(node.log(suspect)),
                            null);
                }
            }
            try {
                if (check.holds()) {
                    return;
                }
            } catch (StepFailed e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            pause();
        }
        throw new StepFailed(
                step,
                "no "
                        + what
                        + " within "
                        + stepTimeoutSeconds
                        + " s"
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")")
                        + "; see the logs of "
                        + String.join(", ", suspects),
                last);
    }

    private JsonNode awaitJob(
            NodeApi api,
            String jobId,
            String what,
            Predicate<JsonNode> condition,
            String... suspects) {
        JsonNode[] seen = new JsonNode[1];
        await(
                what,
                () -> {
                    Optional<JsonNode> job = api.job(jobId);
                    if (job.isEmpty()) {
                        return false;
                    }
                    seen[0] = job.get();
                    String state = seen[0].path("state").asText();
                    if (FAILED_STATES.contains(state)) {
                        throw new StepFailed(
                                step,
                                "job "
                                        + jobId
                                        + " ended "
                                        + state
                                        + ": "
                                        + seen[0].path("lastError").asText("no reason recorded"),
                                null);
                    }
                    return condition.test(seen[0]);
                },
                suspects);
        return seen[0];
    }

    private JsonNode jobOrFail(NodeApi api, String jobId) {
        return call(
                "read the job",
                () ->
                        api.job(jobId)
                                .orElseThrow(
                                        () ->
                                                new IllegalStateException(
                                                        "admin-rpc does not know job " + jobId)));
    }

    private void stopWhatItStarted() {
        if (keep) {
            return;
        }
        synchronized (this) {
            List<String> stopped = new ArrayList<>();
            if (!startedNode.isEmpty()) {
                stopped.addAll(node.stopAll());
                startedNode.clear();
            }
            if (startedStack) {
                stopped.addAll(new LocalStack(layout, options, nullStream()).down());
                startedStack = false;
            }
            if (!stopped.isEmpty()) {
                System.out.println(
                        "Stopped "
                                + String.join(", ", stopped)
                                + " (data kept in "
                                + layout.home()
                                + "; --keep leaves everything running).");
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - 15), lines.size()).stream()
                    .map(l -> "    " + l)
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "    (cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailed("interrupted", "interrupted", e);
        }
    }

    private static PrintStream indented(PrintStream out) {
        return new PrintStream(
                new OutputStream() {
                    private boolean lineStart = true;

                    @Override
                    public void write(int b) {
                        if (lineStart) {
                            out.print("      ");
                        }
                        out.write(b);
                        lineStart = b == '\n';
                    }

                    @Override
                    public void flush() {
                        out.flush();
                    }
                },
                true,
                StandardCharsets.UTF_8);
    }

    private static PrintStream nullStream() {
        return new PrintStream(OutputStream.nullOutputStream());
    }
}
