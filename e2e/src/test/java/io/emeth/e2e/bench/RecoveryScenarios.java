package io.emeth.e2e.bench;

import io.emeth.contracts.JobStatus;
import io.emeth.e2e.support.AdminHttp;
import io.emeth.e2e.support.DrillNode;
import io.emeth.e2e.support.JobFlow;
import io.emeth.e2e.support.NodeProcess;
import io.emeth.e2e.support.SinkTables;
import io.emeth.e2e.support.TopicRecorder;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.TxSent;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.worker.RoundOpened;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.awaitility.Awaitility;

/**
 * The recovery drill's measured part: jobs of 2 epochs flow one after the other through the node;
 * during each, one component is SIGKILLed and at once started again, and the time from the kill to
 * the component's first useful output is taken from what the node writes (Kafka record timestamps)
 * or answers:
 *
 * <ul>
 *   <li>indexer: killed right after a request is mined; its next {@code chain-job-events} record;
 *   <li>gateway: killed once the request is indexed; its next {@code chain-tx-results} record;
 *   <li>master: killed while the workers are idle, the request sent right after; its next {@code
 *       ProcessJob} command (a match);
 *   <li>admin-rpc: killed during epoch 1; its first JSON-RPC answer ({@code joblist}) and the
 *       sink's next row (its stored offsets move);
 *   <li>worker-1: killed during epoch 1; its next {@code ShardTrained} (a round of training), and
 *       its registration as a second figure.
 * </ul>
 *
 * A first job without a kill gives the baseline of the same steps.
 */
final class RecoveryScenarios {
    private static final Duration STALL = Duration.ofMinutes(5);
    private static final int EPOCHS = 2;

    private final DrillNode node;
    private final Consumer<String> log;
    private final JobFlow flow;
    private final TopicRecorder seen;
    private final Topics topics;
    private final AdminHttp admin;
    private int jobs;

    RecoveryScenarios(DrillNode node, Consumer<String> log) throws Exception {
        this.node = node;
        this.log = log;
        this.flow = new JobFlow(node);
        this.seen = node.recorder;
        this.topics = node.topics;
        this.admin = new AdminHttp(node.adminUrl());
    }

    /** One measured row: a component's output and the seconds of each round. */
    record Row(String component, String output, List<Double> seconds, String baseline) {}

    /** The drill's result, printed as README rows. */
    static final class Table {
        final Map<String, Row> rows = new LinkedHashMap<>();

        void add(String component, String output, double seconds, String baseline) {
            rows.computeIfAbsent(component, c -> new Row(c, output, new ArrayList<>(), baseline))
                    .seconds()
                    .add(seconds);
        }

        boolean complete() {
            return !rows.isEmpty();
        }

        void print(PrintStream out) {
            out.println();
            out.println(
                    "| component | first useful output after the kill | kill -> output, s (each"
                            + " round) | max | the same step without a kill |");
            out.println("|---|---|---|---|---|");
            for (Row r : rows.values()) {
                out.printf(
                        Locale.ROOT,
                        "| %s | %s | %s | %.1f | %s |%n",
                        r.component(),
                        r.output(),
                        String.join(
                                ", ",
                                r.seconds().stream()
                                        .map(s -> String.format(Locale.ROOT, "%.1f", s))
                                        .toList()),
                        r.seconds().stream().mapToDouble(Double::doubleValue).max().orElse(0),
                        r.baseline());
            }
        }
    }

    Table run(int rounds) throws Exception {
        Baseline baseline = baseline();
        Table table = new Table();
        for (int round = 1; round <= rounds; round++) {
            log.accept("round " + round + " of " + rounds);
            table.add("indexer", "next chain event", indexer(), baseline.event());
            table.add("gateway", "next transaction (TxSent)", gateway(), baseline.tx());
            table.add("master", "next match (ProcessJob)", master(), baseline.match());
            double[] admin = adminRpc();
            table.add("admin-rpc", "JSON-RPC answer (joblist)", admin[0], "-");
            table.add("admin-rpc ", "next sink row", admin[1], "-");
            double[] worker = worker();
            table.add("worker", "next round (its ShardTrained)", worker[0], baseline.shard());
            table.add("worker ", "registered again (WorkerRegistered)", worker[1], "-");
        }
        return table;
    }

    private record Baseline(String event, String tx, String match, String shard) {}

    /** A job without a kill: the same steps' times when nothing was restarted. */
    private Baseline baseline() throws Exception {
        log.accept("baseline job (no kill)");
        long t0 = System.currentTimeMillis();
        String job = request();
        long mined = System.currentTimeMillis();
        long event = await("REQUESTED of " + job, () -> requested(job, 0));
        long match = await("ProcessJob of " + job, () -> processJob(job, 0));
        long tx = await("a TxSent after " + job + " was indexed", () -> txSent(event));
        long round = await("round 1 of " + job, () -> roundOpened(job));
        long shard =
                await("worker-1's shard of " + job, () -> shard(DrillNode.workerAddress(1), round));
        finish(job);
        log.accept(String.format(Locale.ROOT, "baseline job took %.1f s", (now() - t0) / 1e3));
        return new Baseline(
                secs(event - mined) + " (request mined -> event)",
                secs(tx - event) + " (request indexed -> TxSent)",
                secs(match - mined) + " (request mined -> ProcessJob)",
                secs(shard - round) + " (round opened -> ShardTrained)");
    }

    private double indexer() throws Exception {
        String job = request();
        long t0 = kill(node.indexer());
        long out = await("the restarted indexer's next event", () -> anyChainEvent(t0));
        finish(job);
        return report("indexer", t0, out);
    }

    private double gateway() throws Exception {
        String job = request();
        await("REQUESTED of " + job, () -> requested(job, 0));
        long t0 = kill(node.gateway());
        long out = await("the restarted gateway's next transaction", () -> txSent(t0));
        finish(job);
        return report("gateway", t0, out);
    }

    private double master() throws Exception {
        long t0 = kill(node.master());
        String job = request();
        long out = await("the restarted master matching " + job, () -> processJob(job, t0));
        finish(job);
        return report("master", t0, out);
    }

    private double[] adminRpc() throws Exception {
        String job = request();
        await("round 1 of " + job, () -> roundOpened(job));
        long offsets = sinkOffsets();
        long t0 = kill(node.adminRpc());
        long rpc = await("a JSON-RPC answer from the restarted admin-rpc", () -> rpcAnswer());
        long sink =
                await(
                        "the restarted sink's next row",
                        () -> sinkOffsets() > offsets ? Optional.of(now()) : Optional.empty());
        finish(job);
        return new double[] {
            report("admin-rpc JSON-RPC", t0, rpc), report("admin-rpc sink", t0, sink)
        };
    }

    private double[] worker() throws Exception {
        String job = request();
        await("round 1 of " + job, () -> roundOpened(job));
        String address = DrillNode.workerAddress(1);
        long t0 = kill(node.worker(1));
        long registered = await("worker-1 registered again", () -> registered(address, t0));
        long shard = await("worker-1's next shard", () -> shard(address, t0));
        finish(job);
        return new double[] {
            report("worker-1 next round", t0, shard), report("worker-1 registered", t0, registered)
        };
    }

    private String request() throws Exception {
        jobs++;
        return flow.request("recovery-" + System.currentTimeMillis() + "-" + jobs, EPOCHS);
    }

    /** SIGKILLs {@code process} and starts it again at once; answers the kill's time. */
    private long kill(NodeProcess process) {
        long t0 = now();
        process.kill();
        process.restart();
        return t0;
    }

    /** Waits for the job to end VERIFIED, verifying it once SUBMITTED. */
    private void finish(String job) {
        await(
                "job " + job + " VERIFIED",
                () ->
                        flow.verifyIfSubmitted(job) || flow.status(job) == JobStatus.VERIFIED
                                ? Optional.of(now())
                                : Optional.empty());
    }

    private Optional<Long> requested(String job, long from) {
        return seen.firstAt(
                topics.chainJobEvents(),
                from,
                e -> e.getPayload() instanceof JobRequested && job.equalsIgnoreCase(e.getJobId()));
    }

    private Optional<Long> anyChainEvent(long from) {
        return seen.firstAt(topics.chainJobEvents(), from, e -> true);
    }

    private Optional<Long> processJob(String job, long from) {
        return seen.firstAt(
                topics.chainCommands(),
                from,
                c -> c.getPayload() instanceof ProcessJob p && job.equalsIgnoreCase(p.getJobId()));
    }

    private Optional<Long> txSent(long from) {
        return seen.firstAt(topics.chainTxResults(), from, r -> r.getPayload() instanceof TxSent);
    }

    private Optional<Long> roundOpened(String job) {
        return seen.firstAt(
                topics.workerAssignments(),
                0,
                a ->
                        a.getPayload() instanceof RoundOpened r
                                && r.getEpoch() == 1
                                && job.equalsIgnoreCase(a.getJobId()));
    }

    private Optional<Long> shard(String worker, long from) {
        return seen.firstAt(
                topics.trainingEvents(),
                from,
                e ->
                        e.getPayload() instanceof ShardTrained
                                && worker.equalsIgnoreCase(e.getWorker()));
    }

    private Optional<Long> registered(String worker, long from) {
        return seen.firstAt(
                topics.workerEvents(),
                from,
                e ->
                        e.getPayload() instanceof WorkerRegistered
                                && worker.equalsIgnoreCase(e.getWorker()));
    }

    private Optional<Long> rpcAnswer() {
        try {
            AdminHttp.Answer a =
                    admin.jsonRpc("{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}");
            return a.status() == 200 && a.json() != null && a.json().has("result")
                    ? Optional.of(now())
                    : Optional.empty();
        } catch (Exception refused) {
            return Optional.empty(); // not listening yet
        }
    }

    /** The sum of the sink's stored offsets: it grows with every batch the sink writes. */
    private long sinkOffsets() {
        try (SinkTables db = SinkTables.open(node.sqlitePath)) {
            return db.number("SELECT COALESCE(SUM(next_offset), 0) FROM sink_offsets");
        } catch (Exception notYet) {
            return -1;
        }
    }

    private <T> long await(String what, Callable<Optional<Long>> check) {
        long[] at = new long[1];
        Awaitility.await(what)
                .atMost(STALL)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> {
                            Optional<Long> t = check.call();
                            t.ifPresent(v -> at[0] = v);
                            return t.isPresent();
                        });
        return at[0];
    }

    private double report(String what, long t0, long out) {
        double s = (out - t0) / 1e3;
        log.accept(String.format(Locale.ROOT, "  %s: %.1f s from the kill", what, s));
        return s;
    }

    private static String secs(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1e3);
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
