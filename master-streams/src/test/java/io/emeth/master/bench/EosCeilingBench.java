package io.emeth.master.bench;

import io.emeth.master.MasterApp;
import io.emeth.master.testing.RawTopics;
import io.emeth.testkit.KafkaTestCluster;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What this machine's Kafka can carry at all, exactly once (not a test): the ceiling under any
 * master. One Kafka Streams application with the master's settings ({@code exactly_once_v2} and
 * {@link MasterApp#LATENCY_DEFAULTS}: a commit every 30 ms, producer linger 5 ms), one stream
 * thread, one input partition, reads {@code bench.ceiling.records} pre-written records of 200 bytes
 * and writes {@code fanout} records of 200 bytes for each (a match writes several: assignments, the
 * command, views, changelogs, the inbox records of the next hop). Reports input records/s and
 * written records/s per fan-out, from the application's start to its last input offset committed
 * (so every output is visible).
 *
 * <p>Run: {@code mvn -o -B -q -pl master-streams test-compile exec:exec@bench-ceiling} ({@code
 * -Dbench.ceiling.fanouts=1,4,13 -Dbench.ceiling.records=200000}).
 */
public final class EosCeilingBench {
    private static final int VALUE_BYTES = 200;

    private EosCeilingBench() {}

    public static void main(String[] args) throws Exception {
        int records = Integer.getInteger("bench.ceiling.records", 200_000);
        int[] fanouts =
                Arrays.stream(System.getProperty("bench.ceiling.fanouts", "1,4,13").split(","))
                        .mapToInt(s -> Integer.parseInt(s.strip()))
                        .toArray();
        KafkaTestCluster kafka = KafkaTestCluster.start();
        try {
            System.out.printf(
                    "== exactly-once ceiling (%d cores), %d input records of %d bytes ==%n",
                    Runtime.getRuntime().availableProcessors(), records, VALUE_BYTES);
            for (int fanout : fanouts) {
                run(kafka, records, fanout);
            }
        } finally {
            kafka.close();
        }
    }

    private static void run(KafkaTestCluster kafka, int records, int fanout) throws Exception {
        String in = KafkaTestCluster.uniqueName("ceiling-in");
        String out = KafkaTestCluster.uniqueName("ceiling-out");
        String app = KafkaTestCluster.uniqueName("ceiling-app");
        kafka.createTopics(1, in, out);
        fill(kafka, in, records);

        Topology topology = new Topology();
        topology.addSource(
                "in", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), in);
        topology.addProcessor("fan", () -> new FanOut(fanout), "in");
        topology.addSink("out", out, new StringSerializer(), new ByteArraySerializer(), "fan");

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putAll(MasterApp.LATENCY_DEFAULTS);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/bench/ceiling-state");
        props.put("consumer.auto.offset.reset", "earliest");

        long start = System.nanoTime();
        try (KafkaStreams streams = new KafkaStreams(topology, props);
                Admin admin = Admin.create(kafka.clientProperties())) {
            streams.start();
            TopicPartition input = new TopicPartition(in, 0);
            long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (committed(admin, app, input) < records) {
                if (System.nanoTime() > giveUp) {
                    throw new IllegalStateException("ceiling run did not finish within 10 min");
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long written = MatchingBench.topicEnds(kafka).get(out);
            System.out.printf(
                    "fan-out %2d: %,8.0f input records/s, %,9.0f written records/s (%.1f s;"
                            + " %,d records in the output partition incl. commit markers)%n",
                    fanout,
                    records / seconds,
                    (double) records * fanout / seconds,
                    seconds,
                    written);
            streams.close(Duration.ofSeconds(30));
        }
    }

    private static long committed(Admin admin, String app, TopicPartition input) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets =
                admin.listConsumerGroupOffsets(app)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
        OffsetAndMetadata offset = offsets.get(input);
        return offset == null ? 0 : offset.offset();
    }

    private static void fill(KafkaTestCluster kafka, String topic, int records) {
        byte[] value = new byte[VALUE_BYTES];
        new Random(1).nextBytes(value);
        try (KafkaProducer<String, byte[]> producer =
                RawTopics.producer(
                        kafka.bootstrapServers(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 20))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, value));
            }
            producer.flush();
        }
    }

    /** Writes {@code fanout} records for each record read: the work a match asks of Kafka. */
    private static final class FanOut implements Processor<String, byte[], String, byte[]> {
        private final int fanout;
        private ProcessorContext<String, byte[]> context;

        FanOut(int fanout) {
            this.fanout = fanout;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            for (int i = 0; i < fanout; i++) {
                context.forward(record.withKey(record.key() + i));
            }
        }
    }
}
