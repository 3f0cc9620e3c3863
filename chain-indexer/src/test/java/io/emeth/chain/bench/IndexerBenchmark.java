package io.emeth.chain.bench;

import io.emeth.chain.indexer.Indexer;
import io.emeth.chain.indexer.IndexerConfig;
import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.storage.dev.StorageDevServer;
import io.emeth.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures the indexer on this machine (a harness, not a test): backfill throughput in events per
 * second over {@code --jobs} requests already on chain, then head-follow latency from a block being
 * mined to its event being readable (read_committed) in Kafka with {@code confirmations=0}, over
 * http polling and over WebSocket {@code newHeads}. Uses the in-JVM broker, the registry, the
 * storage dev server (100 data sets) and a fresh anvil, like the ITs.
 *
 * <pre>
 * mvn -o -B -q -pl chain-indexer test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.emeth.chain.bench.IndexerBenchmark \
 *   -Dexec.args="--jobs 10000 --per-block 10 --samples 50 --poll-ms 1000"
 * </pre>
 */
public final class IndexerBenchmark {
    private IndexerBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int jobs = Integer.parseInt(opts.getOrDefault("jobs", "10000"));
        int perBlock = Integer.parseInt(opts.getOrDefault("per-block", "10"));
        int samples = Integer.parseInt(opts.getOrDefault("samples", "50"));
        long pollMs = Long.parseLong(opts.getOrDefault("poll-ms", "1000"));
        int repeat = Integer.parseInt(opts.getOrDefault("repeat", "1"));
        Path root = Files.createTempDirectory("bench-storage");
        try (ChainFixture chain = ChainFixture.start();
                StorageDevServer storage = StorageDevServer.start(root, "127.0.0.1", 0)) {
            seedDatasets(storage, 100);
            backfill(chain, storage, jobs, perBlock, repeat);
            follow(chain, storage, samples, pollMs, false);
            follow(chain, storage, samples, pollMs, true);
        } finally {
            System.exit(0); // the shared broker's threads would keep the JVM alive
        }
    }

    /**
     * Prepares the chain once, then backfills it {@code repeat} times, each time with a new indexer
     * on new topics; the first run is the one a starting indexer sees (its code not yet loaded or
     * compiled), the later ones show the same work in a warm JVM.
     */
    private static void backfill(
            ChainFixture chain, StorageDevServer storage, int jobs, int perBlock, int repeat)
            throws Exception {
        long first = chain.blockNumber() + 1;
        long sendStart = System.nanoTime();
        List<Job> requests =
                IntStream.range(0, jobs)
                        .mapToObj(i -> Job.random("bench-" + (i % 100) + ".txt"))
                        .toList();
        chain.requestAll(requests, perBlock);
        long last = chain.blockNumber();
        report(
                "chain prepared: %d requests in blocks %d..%d in %.1f s",
                jobs, first, last, seconds(sendStart));
        for (int run = 1; run <= repeat; run++) {
            backfillOnce(chain, storage, first, last, perBlock, run);
        }
    }

    private static void backfillOnce(
            ChainFixture chain,
            StorageDevServer storage,
            long first,
            long last,
            int perBlock,
            int run)
            throws Exception {
        String loadBefore = load();
        Topics topics = KafkaFixture.topics("bench-backfill");
        IndexerConfig config =
                Configs.withStorage(
                        Configs.indexer(
                                chain,
                                topics,
                                0,
                                IndexerConfig.DEFAULT_MAX_BLOCK_RANGE,
                                first,
                                KafkaTestCluster.uniqueName("bench-backfill")),
                        storage.url());
        long jvmCpu = jvmCpuNanos();
        long anvilCpu = anvilCpuNanos();
        long start = System.nanoTime();
        try (Indexer indexer = Indexer.start(config, new SimpleMeterRegistry())) {
            while (indexer.confirmedBlock() < last) {
                Thread.sleep(20);
            }
            double elapsed = seconds(start);
            double jvmCpuSeconds = (jvmCpuNanos() - jvmCpu) / 1e9;
            double anvilCpuSeconds = (anvilCpuNanos() - anvilCpu) / 1e9;
            int events = KafkaFixture.readAll(topics.chainJobEvents()).size();
            report(
                    "BACKFILL%s: %d JobRequested events (%d blocks, %d per block, max range %d)"
                            + " in %.2f s = %.0f events/s (load %s -> %s; CPU meanwhile:"
                            + " this JVM %.2f s (indexer, Kafka broker, registry), anvil %.2f s)",
                    run == 1 ? "" : " (run " + run + ", warm JVM)",
                    events,
                    last - first + 1,
                    perBlock,
                    IndexerConfig.DEFAULT_MAX_BLOCK_RANGE,
                    elapsed,
                    events / elapsed,
                    loadBefore,
                    load(),
                    jvmCpuSeconds,
                    anvilCpuSeconds);
        }
    }

    private static void follow(
            ChainFixture chain,
            StorageDevServer storage,
            int samples,
            long pollMs,
            boolean webSocket)
            throws Exception {
        Topics topics = KafkaFixture.topics("bench-follow");
        IndexerConfig config =
                Configs.withStorage(
                                Configs.indexer(
                                        chain,
                                        topics,
                                        0,
                                        100,
                                        chain.blockNumber() + 1,
                                        KafkaTestCluster.uniqueName("bench-follow")),
                                storage.url())
                        .withPollInterval(Duration.ofMillis(pollMs));
        if (webSocket) {
            config = config.withEndpoint(URI.create(chain.anvil.rpcUrl().replace("http", "ws")));
        }
        List<Double> latencies = new ArrayList<>();
        try (Indexer indexer = Indexer.start(config, new SimpleMeterRegistry());
                KafkaConsumer<String, ChainJobEvent> consumer = consumer(topics.chainJobEvents())) {
            for (int i = 0; i < samples; i++) {
                Job job = Job.random("bench-" + (i % 100) + ".txt");
                chain.request(job); // returns once the block holding it is mined
                long mined = System.nanoTime();
                boolean seen = false;
                while (!seen) {
                    for (ConsumerRecord<String, ChainJobEvent> r :
                            consumer.poll(Duration.ofMillis(5))) {
                        seen |= r.key().equals(job.jobId());
                    }
                }
                latencies.add((System.nanoTime() - mined) / 1e6);
                Thread.sleep((long) (Math.random() * pollMs)); // spread over the poll phase
            }
        }
        Collections.sort(latencies);
        report(
                "HEAD-FOLLOW (%s, confirmations=0%s): block mined -> event readable in Kafka,"
                        + " %d samples: p50 %.0f ms, p95 %.0f ms, max %.0f ms",
                webSocket ? "ws newHeads" : "http",
                webSocket ? "" : ", poll " + pollMs + " ms",
                samples,
                pct(latencies, 50),
                pct(latencies, 95),
                latencies.get(latencies.size() - 1));
    }

    private static KafkaConsumer<String, ChainJobEvent> consumer(Topic<String, ChainJobEvent> t) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaFixture.kafka().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        KafkaConsumer<String, ChainJobEvent> consumer =
                new KafkaConsumer<>(
                        props, t.keySerde().deserializer(), t.valueSerde().deserializer());
        List<TopicPartition> partitions =
                consumer.partitionsFor(t.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private static void seedDatasets(StorageDevServer storage, int count) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> put =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    storage.url()
                                                            + "/api/v1/dev/dataset/bench-"
                                                            + i
                                                            + ".txt"))
                                    .PUT(
                                            HttpRequest.BodyPublishers.ofByteArray(
                                                    new byte[8_192 + i]))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() != 200) {
                throw new IllegalStateException("seeding data set " + i + ": " + put.body());
            }
        }
    }

    /** CPU time of this JVM (the indexer, the in-JVM broker and registry, the benchmark). */
    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time of the chain's anvil (the one anvil this JVM started); -1 when not found. */
    private static long anvilCpuNanos() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().command().orElse("").endsWith("anvil"))
                .findFirst()
                .flatMap(p -> p.info().totalCpuDuration())
                .map(d -> d.toNanos())
                .orElse(-1L);
    }

    /** The 1-minute load average, as {@code uptime} prints it. */
    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    private static double pct(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.println("[bench] " + String.format(format, args));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }
}
