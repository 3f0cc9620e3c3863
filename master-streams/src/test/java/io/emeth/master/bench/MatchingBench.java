package io.emeth.master.bench;

import io.emeth.master.InternalTopics;
import io.emeth.master.config.MasterStreamsConfigLoader;
import io.emeth.master.it.ChildMaster;
import io.emeth.master.testing.TestConfigs;
import io.emeth.registry.SchemaRegistryServer;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.KafkaTestCluster;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The matching benchmark (not a test): a real broker and registry in this JVM, one master as a
 * child JVM, {@code bench.workers} registered workers (default 10,000) and {@code bench.jobs}
 * requested jobs (default 100,000), each needing one worker; a simulated chain lets another node
 * take each job as soon as it is matched, which frees the worker for the next one. Reports:
 *
 * <ul>
 *   <li>the master's live heap after a full GC with 100 and with all workers registered (jcmd
 *       GC.class_histogram);
 *   <li>latency from sending {@code JobRequested} to seeing {@code TrainingAssigned} (read
 *       committed), p50/p99, for {@code bench.paced} jobs sent at each of {@code bench.rates} per
 *       second while workers are free, after {@code bench.warmupJobs} jobs (default 0) sent at the
 *       highest of those rates to warm the master's JIT up;
 *   <li>matches per second and the same latency for all jobs sent at once (queueing included).
 * </ul>
 *
 * Run: {@code mvn -o -B -q -pl master-streams test-compile exec:exec@bench} (add {@code
 * -Dbench.workers=… -Dbench.jobs=…}). {@code -Dbench.master=',"key": value'} adds keys to the
 * master's config and {@code -Dbench.kafka=',"prop": "value"'} Kafka properties, to compare
 * settings in one build (the settings before issue 13's end-to-end work: {@code
 * -Dbench.master=',"heartbeat_batch_ms": 0' -Dbench.kafka=',"producer.linger.ms": "100",
 * "producer.retry.backoff.ms": "100"'}). The child master prints its stream thread's metrics every
 * 5 s ({@code METRICS} lines in its log under {@code target/bench/run-*}), and the report splits
 * each job's latency into its stages.
 */
public final class MatchingBench {
    private static final Pattern TOTAL = Pattern.compile("Total\\s+\\d+\\s+(\\d+)");

    private MatchingBench() {}

    public static void main(String[] args) throws Exception {
        int workers = Integer.getInteger("bench.workers", 10_000);
        int jobs = Integer.getInteger("bench.jobs", 100_000);
        int paced = Integer.getInteger("bench.paced", 1_000);
        int rate = Integer.getInteger("bench.rate", 100);
        int warmupJobs = Integer.getInteger("bench.warmupJobs", 0);
        List<Integer> rates = new ArrayList<>();
        for (String r : System.getProperty("bench.rates", Integer.toString(rate)).split(",")) {
            rates.add(Integer.parseInt(r.strip()));
        }
        // realistic: capacities 20-200, heartbeats every 5 s (30 s timeout), jobs needing 1-8
        boolean realistic = Boolean.getBoolean("bench.realistic");
        long[] capacities = new long[workers];
        Random capacityRandom = new Random(7);
        long capacitySum = 0;
        for (int i = 0; i < workers; i++) {
            capacities[i] = realistic ? 20 + capacityRandom.nextInt(181) : 100;
            capacitySum += capacities[i];
        }
        long averageCapacity = capacitySum / Math.max(1, workers);
        Path dir =
                Files.createDirectories(
                        Path.of("target", "bench", "run-" + System.currentTimeMillis()));
        KafkaTestCluster kafka = KafkaTestCluster.start();
        SchemaRegistryServer registry =
                SchemaRegistryServer.start(kafka.bootstrapServers(), "127.0.0.1", 0);
        Topics topics = Topics.create(SerdeConfig.of(registry.url()));
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(topics.specs().stream().map(s -> s.newTopic((short) 1)).toList())
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        Path config = dir.resolve("master.json");
        String json =
                TestConfigs.json(
                        "nvm",
                        "\"kafka_bootstrap_servers\": \""
                                + kafka.bootstrapServers()
                                + "\","
                                + "\"schema_registry_url\": \""
                                + registry.url()
                                + "\","
                                + "\"application_id\": \"bench-master\","
                                + "\"state_dir\": \""
                                + dir.resolve("state").toAbsolutePath()
                                + "\","
                                + "\"kafka_properties\": {\"client.id\": \"bench-master\""
                                + System.getProperty("bench.kafka", "")
                                + "}"
                                + System.getProperty("bench.master", ""));
        if (!realistic) {
            json =
                    json.replace(
                            "\"worker_heartbeat_timeout_ms\": 30000",
                            "\"worker_heartbeat_timeout_ms\": 86400000");
        }
        Files.writeString(config, json);
        String pool = MasterStreamsConfigLoader.load(config).poolId();
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-Dmaster.metrics.ms=5000"));
        if (Boolean.getBoolean("bench.jfr")) {
            jvm.add(
                    "-XX:StartFlightRecording=filename="
                            + dir.toAbsolutePath().resolve("master.jfr"));
        }
        ChildMaster master = ChildMaster.start("bench", config, dir, jvm.toArray(String[]::new));
        BenchWorld world =
                new BenchWorld(
                        kafka.bootstrapServers(),
                        topics,
                        pool,
                        InternalTopics.poolInbox(MasterStreamsConfigLoader.load(config), topics));
        try {
            if (realistic) {
                world.heartbeatEvery(5_000);
            }
            world.registerWorkers(0, Math.min(100, workers), i -> capacities[i]);
            await(() -> world.idleWorkers.size() >= Math.min(100, workers), Duration.ofMinutes(2));
            long heap100 = heapAfterFullGc(master.pid());
            long t0 = System.nanoTime();
            world.registerWorkers(100, workers, i -> capacities[i]);
            await(() -> world.idleWorkers.size() >= workers, Duration.ofMinutes(10));
            double registrationSeconds = (System.nanoTime() - t0) / 1e9;
            long heapAll = heapAfterFullGc(master.pid());
            Files.writeString(
                    dir.resolve("histogram-" + workers + "-workers.txt"),
                    jcmd(master.pid(), "GC.class_histogram"));

            Random random = new Random(42);
            Supplier<String> next =
                    () ->
                            realistic
                                    ? world.requestNeeding(
                                            fee(random), (1 + random.nextInt(8)) * averageCapacity)
                                    : world.request(fee(random));
            int pacedTotal = 0;
            if (warmupJobs > 0) {
                int warmupRate = Collections.max(rates);
                List<String> warmup = paced(world, next, warmupJobs, warmupRate);
                warmupReport(world, warmup, warmupRate);
                pacedTotal += warmupJobs;
            }
            List<List<Long>> pacedLatencies = new ArrayList<>();
            for (int r : rates) {
                List<String> pacedJobs = paced(world, next, paced, r);
                pacedLatencies.add(latencies(world, pacedJobs));
                stages("paced " + r + "/s", world, pacedJobs);
                pacedTotal += paced;
            }
            int pacedDone = pacedTotal;

            List<String> burst = new ArrayList<>(jobs);
            Map<String, Long> endsBefore = topicEnds(kafka);
            long start = System.currentTimeMillis();
            for (int i = 0; i < jobs; i++) {
                burst.add(next.get());
            }
            world.flush();
            await(() -> world.assignedAt.size() >= pacedDone + jobs, Duration.ofMinutes(60));
            long end = burst.stream().mapToLong(world.assignedAt::get).max().orElse(start);
            double burstSeconds = (end - start) / 1000.0;
            recordsPerMatch(endsBefore, topicEnds(kafka), jobs);
            long heapAfter = heapAfterFullGc(master.pid());
            Files.writeString(
                    dir.resolve("histogram-after-" + jobs + "-jobs.txt"),
                    jcmd(master.pid(), "GC.class_histogram"));
            stages("burst", world, burst);

            report(
                    workers,
                    jobs,
                    paced,
                    rates,
                    heap100,
                    heapAll,
                    heapAfter,
                    registrationSeconds,
                    pacedLatencies,
                    latencies(world, burst),
                    burstSeconds);
        } finally {
            world.close();
            master.close();
            registry.close();
            kafka.close();
        }
    }

    /** Sends {@code count} jobs at {@code rate} per second and waits until each is assigned. */
    private static List<String> paced(BenchWorld world, Supplier<String> next, int count, int rate)
            throws InterruptedException {
        List<String> sent = new ArrayList<>(count);
        long pace = 1_000_000_000L / rate;
        long due = System.nanoTime();
        for (int i = 0; i < count; i++) {
            sent.add(next.get());
            world.flush();
            due += pace;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        await(() -> sent.stream().allMatch(world.assignedAt::containsKey), Duration.ofMinutes(10));
        return sent;
    }

    /**
     * The warm-up's latency per slice of 5,000 jobs: a freshly started master runs its first tens
     * of thousands of jobs with the JIT compiler still at work (C2 took ~40 % of a core for the
     * first 30 s here), so the measured phases after it are what a master that has been running a
     * while does, and the slices show how long getting there took.
     */
    private static void warmupReport(BenchWorld world, List<String> jobs, int rate) {
        StringBuilder line =
                new StringBuilder(
                        "warm-up, "
                                + jobs.size()
                                + " jobs at "
                                + rate
                                + "/s, per 5,000 (p50/p99 ms):");
        for (int from = 0; from < jobs.size(); from += 5_000) {
            List<Long> slice =
                    latencies(world, jobs.subList(from, Math.min(jobs.size(), from + 5_000)));
            line.append(String.format(" %d/%d;", percentile(slice, 0.5), percentile(slice, 0.99)));
        }
        System.out.println(line);
    }

    /** The end offset of every topic, summed over its partitions (records and commit markers). */
    static Map<String, Long> topicEnds(KafkaTestCluster kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicDescription topic :
                    admin.describeTopics(names)
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .values()) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    latest.put(
                            new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest());
                }
            }
            Map<String, Long> ends = new TreeMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.merge(tp.topic(), info.offset(), Long::sum));
            return ends;
        }
    }

    /**
     * What the burst wrote to each topic per match, offsets including commit markers (the
     * heartbeats that went on meanwhile included: {@code worker-events} and part of the pool
     * inbox).
     */
    private static void recordsPerMatch(
            Map<String, Long> before, Map<String, Long> after, int jobs) {
        StringBuilder line = new StringBuilder("offsets per match in the burst:");
        double total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                total += (double) delta / jobs;
                line.append(String.format(" %s %.2f;", e.getKey(), (double) delta / jobs));
            }
        }
        line.append(String.format(" total %.1f", total));
        System.out.println(line);
    }

    private static BigInteger fee(Random random) {
        return TestConfigs.emt(10)
                .add(BigInteger.valueOf(random.nextInt(20_000)).multiply(BigInteger.TEN.pow(15)));
    }

    private static List<Long> latencies(BenchWorld world, List<String> jobs) {
        List<Long> out = new ArrayList<>(jobs.size());
        for (String job : jobs) {
            out.add(world.assignedAt.get(job) - world.requestedAt.get(job));
        }
        Collections.sort(out);
        return out;
    }

    /**
     * Where a job's time goes, p50/p99 of each stage: request → the coordinator's {@code JobOpened}
     * (its record time), → visible on the pool inbox (the coordinator's commit), → the pool's first
     * {@code TrainingAssigned} (its record time), → visible to the bench (the pool's commit).
     */
    private static void stages(String label, BenchWorld world, List<String> jobs) {
        List<List<Long>> stages = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stages.add(new ArrayList<>());
        }
        for (String job : jobs) {
            Long requested = world.requestedAt.get(job);
            Long opened = world.openedAt.get(job);
            Long openedSeen = world.openedSeenAt.get(job);
            Long matched = world.matchedAt.get(job);
            Long assigned = world.assignedAt.get(job);
            if (requested == null
                    || opened == null
                    || openedSeen == null
                    || matched == null
                    || assigned == null) {
                continue;
            }
            stages.get(0).add(opened - requested);
            stages.get(1).add(openedSeen - opened);
            stages.get(2).add(matched - openedSeen);
            stages.get(3).add(assigned - matched);
        }
        String[] names = {
            "request→coordinator", "→visible in pool inbox", "→pool matched", "→assignment visible"
        };
        StringBuilder line = new StringBuilder("stages " + label + " (p50/p99 ms):");
        for (int i = 0; i < 4; i++) {
            List<Long> s = stages.get(i);
            Collections.sort(s);
            if (!s.isEmpty()) {
                line.append(
                        String.format(
                                " %s %d/%d;", names[i], percentile(s, 0.5), percentile(s, 0.99)));
            }
        }
        System.out.println(line);
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static void report(
            int workers,
            int jobs,
            int paced,
            List<Integer> rates,
            long heap100,
            long heapAll,
            long heapAfter,
            double registrationSeconds,
            List<List<Long>> pacedLatencies,
            List<Long> burstLatency,
            double burstSeconds) {
        System.out.println();
        System.out.println(
                "== master matching benchmark ("
                        + Runtime.getRuntime().availableProcessors()
                        + " cores) ==");
        System.out.printf(
                "live heap after full GC, 100 workers:      %.1f MiB%n", heap100 / 1024.0);
        System.out.printf(
                "live heap after full GC, %d workers:    %.1f MiB%n", workers, heapAll / 1024.0);
        System.out.printf(
                "live heap after full GC, after %d jobs: %.1f MiB%n", jobs, heapAfter / 1024.0);
        System.out.printf(
                "registration of %d workers:           %.1f s%n",
                workers - 100, registrationSeconds);
        for (int i = 0; i < rates.size(); i++) {
            List<Long> pacedLatency = pacedLatencies.get(i);
            System.out.printf(
                    "paced %d jobs at %d/s: JobRequested→TrainingAssigned p50 %d ms, p99 %d ms%n",
                    paced,
                    rates.get(i),
                    percentile(pacedLatency, 0.5),
                    percentile(pacedLatency, 0.99));
        }
        System.out.printf(
                "burst of %d jobs: %.0f matches/s (%.1f s); latency p50 %d ms, p99 %d ms%n",
                jobs,
                jobs / burstSeconds,
                burstSeconds,
                percentile(burstLatency, 0.5),
                percentile(burstLatency, 0.99));
    }

    private static void await(BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long giveUp = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("benchmark step did not finish within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /**
     * Live heap (KiB) of the process: the total of {@code jcmd <pid> GC.class_histogram}, which
     * runs a full GC first and counts only reachable objects (unlike "used", which counts G1
     * regions).
     */
    public static long heapAfterFullGc(long pid) throws IOException, InterruptedException {
        String histogram = jcmd(pid, "GC.class_histogram");
        Matcher m = TOTAL.matcher(histogram);
        if (!m.find()) {
            throw new IllegalStateException("cannot read jcmd GC.class_histogram: " + histogram);
        }
        return Long.parseLong(m.group(1)) / 1024;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p =
                new ProcessBuilder(jcmd, Long.toString(pid), command)
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
