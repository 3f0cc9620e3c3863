package io.emeth.master.it;

import io.emeth.master.MasterApp;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A master instance as its own JVM, for ITs that must SIGKILL one: {@code java -cp <test class
 * path> io.emeth.master.it.MasterProcess <master.json>}. Prints {@value #STARTED} once started.
 * With {@code -Dmaster.metrics.ms=N} it also prints the stream thread's Kafka Streams metrics and
 * its producer's transaction times every N ms (the benchmark uses this to see where time goes).
 */
public final class MasterProcess {
    public static final String STARTED = "MASTER-PROCESS-STARTED";

    private static final List<String> THREAD_METRICS =
            List.of(
                    "poll-rate",
                    "poll-records-avg",
                    "process-rate",
                    "process-records-avg",
                    "commit-rate",
                    "commit-latency-avg",
                    "commit-latency-max",
                    "punctuate-rate",
                    "punctuate-latency-avg",
                    "poll-ratio",
                    "process-ratio",
                    "punctuate-ratio",
                    "commit-ratio");

    private MasterProcess() {}

    public static void main(String[] args) throws Exception {
        MasterStreamsConfig config = MasterStreamsConfigLoader.load(Path.of(args[0]));
        MasterApp app = MasterApp.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "master-stop"));
        System.out.println(STARTED);
        long every = Long.getLong("master.metrics.ms", 0);
        if (every > 0) {
            Thread t = new Thread(() -> printMetrics(every), "master-metrics");
            t.setDaemon(true);
            t.start();
        }
        app.awaitShutdown();
    }

    private static void printMetrics(long every) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        while (true) {
            try {
                Thread.sleep(every);
                StringBuilder line = new StringBuilder("METRICS");
                for (ObjectName name :
                        server.queryNames(
                                new ObjectName("kafka.streams:type=stream-thread-metrics,*"),
                                null)) {
                    for (String metric : THREAD_METRICS) {
                        line.append(' ')
                                .append(metric)
                                .append('=')
                                .append(attribute(server, name, metric));
                    }
                }
                TreeMap<String, String> producer = new TreeMap<>();
                for (ObjectName name :
                        server.queryNames(
                                new ObjectName("kafka.producer:type=producer-metrics,*"), null)) {
                    for (String metric :
                            List.of(
                                    "txn-commit-time-ns-total",
                                    "flush-time-ns-total",
                                    "record-send-rate",
                                    "batch-size-avg",
                                    "request-latency-avg")) {
                        producer.put(
                                name.getKeyProperty("client-id").endsWith("-producer")
                                        ? metric
                                        : name.getKeyProperty("client-id") + "." + metric,
                                attribute(server, name, metric));
                    }
                }
                producer.forEach(
                        (k, v) -> line.append(" producer.").append(k).append('=').append(v));
                for (ObjectName name :
                        server.queryNames(
                                new ObjectName(
                                        "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*"),
                                null)) {
                    if (name.getKeyProperty("topic") != null
                            || name.getKeyProperty("partition") != null
                            || !name.getKeyProperty("client-id").endsWith("-consumer")
                            || name.getKeyProperty("client-id").endsWith("restore-consumer")) {
                        continue;
                    }
                    for (String metric :
                            List.of(
                                    "records-lag-max",
                                    "fetch-latency-avg",
                                    "records-per-request-avg")) {
                        line.append(" consumer.")
                                .append(metric)
                                .append('=')
                                .append(attribute(server, name, metric));
                    }
                }
                System.out.println(line);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                System.out.println("METRICS unavailable: " + e);
            }
        }
    }

    private static String attribute(MBeanServer server, ObjectName name, String metric) {
        try {
            return format(server.getAttribute(name, metric));
        } catch (Exception e) {
            return "?";
        }
    }

    private static String format(Object value) {
        return value instanceof Double d
                ? String.format(Locale.ROOT, "%.3g", d)
                : String.valueOf(value);
    }
}
