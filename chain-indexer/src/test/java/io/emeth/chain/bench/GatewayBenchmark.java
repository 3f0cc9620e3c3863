package io.emeth.chain.bench;

import io.emeth.chain.gateway.ChainGateway;
import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.gateway.TxSent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The gateway burst (a harness, not a test): {@code --jobs} requests already on a fresh anvil
 * (automine), then that many {@code ProcessJob} commands published at once to one gateway, and once
 * all are taken, that many {@code SubmitResult}s at once. Reports jobs/s taken and submitted
 * (commands / time from the first publish to the last outcome readable, read_committed) and the
 * latency of each command from its publish to its outcome being readable (the gateway's share of
 * Request → process: the master publishes the ProcessJob as soon as it matched the request).
 *
 * <pre>
 * mvn -o -B -q -pl chain-indexer test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.emeth.chain.bench.GatewayBenchmark -Dexec.args="--jobs 500"
 * </pre>
 */
public final class GatewayBenchmark {
    private static final String ACCOUNT = DevAccounts.get(1).address();

    private GatewayBenchmark() {}

    public static void main(String[] args) throws Exception {
        int jobs = 500;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--jobs")) {
                jobs = Integer.parseInt(args[i + 1]);
            }
        }
        try (ChainFixture chain = ChainFixture.start()) {
            Topics topics = KafkaFixture.topics("gw-bench");
            List<Job> requests =
                    IntStream.range(0, jobs)
                            .mapToObj(i -> Job.random("bench-" + (i % 100) + ".txt"))
                            .toList();
            chain.requestAll(requests, 50);
            report("chain prepared: %d requests", jobs);
            try (ChainGateway gateway =
                            ChainGateway.start(
                                    Configs.gateway(chain, topics, Duration.ofMinutes(5)),
                                    new SimpleMeterRegistry());
                    Outcomes outcomes = new Outcomes(topics.chainTxResults())) {
                burst(
                        "TAKEN (ProcessJob)",
                        topics,
                        outcomes,
                        requests,
                        job ->
                                command(
                                        "process-" + job.jobId(),
                                        ProcessJob.newBuilder().setJobId(job.jobId()).build()));
                burst(
                        "SUBMITTED (SubmitResult)",
                        topics,
                        outcomes,
                        requests,
                        job ->
                                command(
                                        "submit-" + job.jobId(),
                                        SubmitResult.newBuilder()
                                                .setJobId(job.jobId())
                                                .setResultFileName("model-" + job.jobId() + ".zip")
                                                .build()));
            }
        } finally {
            System.exit(0); // the shared broker's threads would keep the JVM alive
        }
    }

    private static void burst(
            String what,
            Topics topics,
            Outcomes outcomes,
            List<Job> jobs,
            Function<Job, ChainCommand> commandOf)
            throws Exception {
        Map<String, Long> published = new HashMap<>();
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", KafkaFixture.kafka().bootstrapServers());
        props.put("linger.ms", 5);
        Topic<String, ChainCommand> topic = topics.chainCommands();
        long start = System.nanoTime();
        try (KafkaProducer<String, ChainCommand> producer =
                new KafkaProducer<>(
                        props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (Job job : jobs) {
                ChainCommand c = commandOf.apply(job);
                published.put(c.getCommandId(), System.nanoTime());
                producer.send(new ProducerRecord<>(topic.name(), ACCOUNT, c));
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
        int last = -1;
        while (!outcomes.seen.keySet().containsAll(published.keySet())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not every command had an outcome");
            }
            int now = (int) published.keySet().stream().filter(outcomes.seen::containsKey).count();
            if (now / 50 != last / 50) {
                report("%s: %d/%d outcomes after %.1f s", what, now, jobs.size(), seconds(start));
                last = now;
            }
            Thread.sleep(200); // progress printing only; the times come from the reader thread
        }
        long end =
                published.keySet().stream()
                        .mapToLong(id -> outcomes.seen.get(id))
                        .max()
                        .orElseThrow();
        List<Double> latencies = new ArrayList<>();
        long confirmed = 0;
        for (var e : published.entrySet()) {
            latencies.add((outcomes.seen.get(e.getKey()) - e.getValue()) / 1e6);
            if (outcomes.results.get(e.getKey()).getPayload() instanceof TxConfirmed) {
                confirmed++;
            }
        }
        Collections.sort(latencies);
        double elapsed = (end - start) / 1e9;
        report(
                "%s: %d commands at once, %d confirmed, in %.1f s = %.2f jobs/s; publish ->"
                        + " outcome p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                what,
                jobs.size(),
                confirmed,
                elapsed,
                jobs.size() / elapsed,
                pct(latencies, 50),
                pct(latencies, 99),
                latencies.get(latencies.size() - 1));
    }

    /** Reads chain-tx-results (read_committed) on a thread and notes when each outcome arrived. */
    private static final class Outcomes implements AutoCloseable {
        final Map<String, Long> seen = new ConcurrentHashMap<>();
        final Map<String, ChainTxResult> results = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        Outcomes(Topic<String, ChainTxResult> topic) {
            Map<String, Object> props = new HashMap<>();
            props.put(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    KafkaFixture.kafka().bootstrapServers());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            KafkaConsumer<String, ChainTxResult> consumer =
                    new KafkaConsumer<>(
                            props,
                            topic.keySerde().deserializer(),
                            topic.valueSerde().deserializer());
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic.name()).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread =
                    new Thread(
                            () -> {
                                try (consumer) {
                                    while (running) {
                                        for (ConsumerRecord<String, ChainTxResult> r :
                                                consumer.poll(Duration.ofMillis(20))) {
                                            if (!(r.value().getPayload() instanceof TxSent)) {
                                                results.put(r.key(), r.value());
                                                seen.putIfAbsent(r.key(), System.nanoTime());
                                            }
                                        }
                                    }
                                }
                            },
                            "bench-outcomes");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    private static ChainCommand command(String id, Object payload) {
        return ChainCommand.newBuilder()
                .setCommandId(id)
                .setAccount(ACCOUNT)
                .setIssuedAt(Instant.now())
                .setPayload(payload)
                .build();
    }

    private static double pct(List<Double> sorted, int p) {
        return sorted.get(
                Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.printf("[gateway-bench] " + format + "%n", args);
    }
}
