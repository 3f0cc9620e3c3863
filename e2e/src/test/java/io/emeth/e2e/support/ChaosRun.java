package io.emeth.e2e.support;

import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.schemas.avro.training.TrainingEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.Transaction;

/**
 * The chaos drill (issue #15): jobs are requested while a random process of the node is SIGKILLed
 * and started again every {@code minGap}–{@code maxGap}, until {@code kills} kills; then every job
 * must end VERIFIED with exactly one {@code process} and one {@code submit} transaction on chain
 * (reverted ones counted too), one {@code jobs} row and one {@code contributions} row per worker
 * and attempt, and no {@code training_log} row twice. Shared by the small IT in {@code mvn verify}
 * and the benchmark's {@code --chaos} mode; what it finds wrong is returned, not thrown, so that
 * the benchmark can print it beside the numbers.
 */
public final class ChaosRun {
    /** The drill's size; {@code seed} makes the kill schedule repeatable. */
    public record Settings(
            int jobs,
            int epochs,
            int kills,
            Duration minGap,
            Duration maxGap,
            Duration finishTimeout,
            long seed) {}

    /** What a run saw, and every check it failed. */
    public record Result(
            Map<String, Integer> killsPerComponent,
            int jobsVerifiedDuringKills,
            int jobsVerified,
            int jobs,
            Duration killPhase,
            Duration lastKillToLastVerified,
            List<String> unfinished,
            List<String> violations) {
        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "kills %d %s over %.0f s; jobs VERIFIED while kills went on: %d of %d;"
                            + " last kill -> last VERIFIED: %s; VERIFIED in all: %d; not VERIFIED"
                            + " in time: %s; violations of exactly-once: %s",
                    killsPerComponent.values().stream().mapToInt(Integer::intValue).sum(),
                    killsPerComponent,
                    killPhase.toMillis() / 1000.0,
                    jobsVerifiedDuringKills,
                    jobs,
                    lastKillToLastVerified == null
                            ? "never"
                            : String.format(
                                    Locale.ROOT,
                                    "%.1f s",
                                    lastKillToLastVerified.toMillis() / 1000.0),
                    jobsVerified,
                    unfinished.isEmpty() ? "none" : unfinished,
                    violations.isEmpty() ? "none" : violations);
        }
    }

    private final DrillNode node;
    private final Settings settings;
    private final Consumer<String> log;
    private final JobFlow flow;
    private final List<String> jobIds = new CopyOnWriteArrayList<>();
    private final Map<String, Long> verifiedAt = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile Exception background;

    public ChaosRun(DrillNode node, Settings settings, Consumer<String> log) throws Exception {
        this.node = node;
        this.settings = settings;
        this.log = log;
        this.flow = new JobFlow(node);
    }

    public Result run() throws Exception {
        Thread requester = new Thread(this::requestAll, "chaos-requester");
        Thread verifier = new Thread(this::verifyLoop, "chaos-verifier");
        requester.start();
        verifier.start();
        Map<String, Integer> kills = new TreeMap<>();
        long start = System.currentTimeMillis();
        long lastKill = start;
        Random random = new Random(settings.seed());
        try {
            for (int k = 1; k <= settings.kills(); k++) {
                long gap =
                        settings.minGap().toMillis()
                                + (long)
                                        (random.nextDouble()
                                                * (settings.maxGap().toMillis()
                                                        - settings.minGap().toMillis()));
                TimeUnit.MILLISECONDS.sleep(gap); // the chaos schedule itself, not a wait
                failOnBackgroundError();
                List<NodeProcess> processes = node.processes();
                NodeProcess victim = processes.get(random.nextInt(processes.size()));
                victim.kill();
                lastKill = System.currentTimeMillis();
                victim.restart();
                kills.merge(victim.name(), 1, Integer::sum);
                log.accept(
                        String.format(
                                Locale.ROOT,
                                "kill %d/%d: %s (after %.1f s); jobs requested %d, VERIFIED %d",
                                k,
                                settings.kills(),
                                victim.name(),
                                gap / 1000.0,
                                jobIds.size(),
                                verifiedAt.size()));
            }
            long killsEnded = lastKill;
            int duringKills =
                    (int) verifiedAt.values().stream().filter(t -> t <= killsEnded).count();
            log.accept("kills over; waiting for every job to be VERIFIED");
            requester.join(settings.finishTimeout().toMillis());
            List<String> violations = new ArrayList<>();
            List<String> unfinished = new ArrayList<>();
            try {
                Awaitility.await("every job VERIFIED")
                        .atMost(settings.finishTimeout())
                        .pollInterval(Duration.ofSeconds(1))
                        .until(
                                () -> {
                                    failOnBackgroundError();
                                    return jobIds.size() == settings.jobs()
                                            && verifiedAt.keySet().containsAll(jobIds);
                                });
            } catch (ConditionTimeoutException e) {
                log.accept("not every job VERIFIED within " + settings.finishTimeout());
            }
            Long lastVerified = verifiedAt.values().stream().max(Long::compare).orElse(null);
            stopped = true;
            verifier.join(10_000);
            check(unfinished, violations);
            return new Result(
                    kills,
                    duringKills,
                    verifiedAt.size(),
                    settings.jobs(),
                    Duration.ofMillis(killsEnded - start),
                    lastVerified == null || lastVerified < killsEnded
                            ? (lastVerified == null ? null : Duration.ZERO)
                            : Duration.ofMillis(lastVerified - killsEnded),
                    unfinished,
                    violations);
        } finally {
            stopped = true;
            requester.interrupt();
        }
    }

    private void requestAll() {
        try {
            String run = Long.toString(System.currentTimeMillis(), 36);
            for (int i = 1; i <= settings.jobs() && !stopped; i++) {
                jobIds.add(flow.request("chaos-" + run + "-" + i, settings.epochs()));
            }
            log.accept("all " + settings.jobs() + " jobs requested");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            background = e;
        }
    }

    private void verifyLoop() {
        while (!stopped) {
            try {
                for (String jobId : jobIds) {
                    if (!verifiedAt.containsKey(jobId)
                            && (flow.verifyIfSubmitted(jobId)
                                    || flow.status(jobId) == JobStatus.VERIFIED)) {
                        verifiedAt.put(jobId, System.currentTimeMillis());
                        log.accept("job " + jobId + " VERIFIED (" + verifiedAt.size() + ")");
                    }
                }
                TimeUnit.MILLISECONDS.sleep(500); // polling the chain, as a verifier does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.accept("verifier: " + e.getMessage() + " (retrying)");
            }
        }
    }

    private void failOnBackgroundError() throws Exception {
        if (background != null) {
            throw new IllegalStateException("requesting the jobs failed", background);
        }
    }

    /**
     * The chain's and the sink's checks, each failure one line. A job that did not reach VERIFIED
     * in time goes to {@code unfinished} and is only checked for duplicates (at most one {@code
     * process} and one {@code submit}, none reverted).
     */
    private void check(List<String> unfinished, List<String> violations) throws Exception {
        Web3j web3j = node.web3j();
        EmethCore core = DevChain.core(web3j, node.deployment(), DevAccounts.master());
        List<Transaction> calls = ChainScan.callsTo(web3j, core.getContractAddress());
        for (String jobId : jobIds) {
            byte[] id = JobIds.toBytes(jobId);
            JobStatus status = flow.status(jobId);
            boolean done = status == JobStatus.VERIFIED;
            if (!done) {
                unfinished.add(jobId + " " + status);
            }
            String processCall = core.process(id).encodeFunctionCall();
            String submitPrefix = core.submit(id, "").encodeFunctionCall().substring(0, 2 + 8 + 64);
            checkOneSuccessful(web3j, violations, jobId, "process", calls, processCall, done);
            checkOneSuccessful(web3j, violations, jobId, "submit", calls, submitPrefix, done);
        }
        try (SinkTables db = SinkTables.open(node.sqlitePath)) {
            for (String jobId : jobIds) {
                if (verifiedAt.containsKey(jobId)) {
                    checkSink(db, violations, jobId);
                }
            }
        }
    }

    private static void checkOneSuccessful(
            Web3j web3j,
            List<String> violations,
            String jobId,
            String call,
            List<Transaction> calls,
            String prefix,
            boolean required)
            throws Exception {
        List<Transaction> txs = ChainScan.withInputPrefix(calls, prefix);
        if (txs.isEmpty() && !required) {
            return;
        }
        if (txs.size() != 1) {
            violations.add(jobId + ": " + txs.size() + " " + call + " transactions on chain");
            return;
        }
        boolean ok =
                web3j.ethGetTransactionReceipt(txs.get(0).getHash())
                        .send()
                        .getTransactionReceipt()
                        .map(r -> r.isStatusOK())
                        .orElse(false);
        if (!ok) {
            violations.add(jobId + ": its one " + call + " transaction reverted");
        }
    }

    private void checkSink(SinkTables db, List<String> violations, String jobId) throws Exception {
        String key = JobIds.normalize(jobId);
        List<TrainingEvent> events =
                node.recorder.values(
                        node.topics.trainingEvents(), e -> jobId.equalsIgnoreCase(e.getJobId()));
        String logCount = "SELECT COUNT(*) FROM training_log WHERE job_id = ?";
        try {
            Awaitility.await("the sink recording " + key + " VERIFIED and its training log")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () ->
                                    db.number(
                                                            "SELECT COUNT(*) FROM jobs WHERE"
                                                                    + " job_id = ? AND status = ?",
                                                            key,
                                                            JobStatus.VERIFIED.code())
                                                    == 1
                                            && db.number(logCount, key) >= events.size());
        } catch (ConditionTimeoutException e) {
            violations.add(key + ": the sink did not record it VERIFIED with its training log");
        }
        long rows = db.number("SELECT COUNT(*) FROM jobs WHERE job_id = ?", key);
        if (rows != 1) {
            violations.add(key + ": " + rows + " jobs rows");
        }
        List<List<Object>> twice =
                db.rows(
                        "SELECT lower(worker_address), num_attempt, COUNT(*) FROM contributions"
                                + " WHERE job_id = ? GROUP BY lower(worker_address), num_attempt"
                                + " HAVING COUNT(*) > 1",
                        key);
        if (!twice.isEmpty()) {
            violations.add(key + ": contributions rows twice for (worker, attempt) " + twice);
        }
        List<List<Object>> attempt = db.rows("SELECT num_attempt FROM jobs WHERE job_id = ?", key);
        if (!attempt.isEmpty()) {
            Object last = attempt.get(0).get(0);
            List<Object> workers =
                    db
                            .rows(
                                    "SELECT lower(worker_address) FROM contributions"
                                            + " WHERE job_id = ? AND num_attempt = ?",
                                    key,
                                    last)
                            .stream()
                            .map(r -> r.get(0))
                            .sorted()
                            .toList();
            List<Object> expected =
                    List.of(lower(DrillNode.workerAddress(1)), lower(DrillNode.workerAddress(2)))
                            .stream()
                            .map(o -> (Object) o)
                            .sorted()
                            .toList();
            if (!workers.equals(expected)) {
                violations.add(key + ": contributions of attempt " + last + " are " + workers);
            }
        }
        List<List<Object>> logTwice =
                db.rows(
                        "SELECT worker_address, kind, epoch, at, COUNT(*) FROM training_log"
                                + " WHERE job_id = ? GROUP BY worker_address, kind, epoch, at"
                                + " HAVING COUNT(*) > 1",
                        key);
        if (!logTwice.isEmpty()) {
            violations.add(key + ": training_log rows written twice " + logTwice);
        }
        long logged = db.number(logCount, key);
        if (logged != events.size()) {
            violations.add(
                    key + ": " + logged + " training_log rows for " + events.size() + " events");
        }
    }

    private static String lower(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
