package io.emeth.testkit;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft broker (combined controller + broker) running inside the test JVM, started once per
 * JVM and shared by every IT in it, so that a suite pays the start-up cost once.
 *
 * <p>The internal topics are set to replication factor 1 so that transactions and Kafka Streams
 * work against a single node.
 */
public final class KafkaTestCluster {
    private static final Logger log = LoggerFactory.getLogger(KafkaTestCluster.class);
    private static KafkaTestCluster shared;

    private final KafkaClusterTestKit kit;

    private KafkaTestCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    /**
     * The JVM-wide cluster, started on first use and closed by {@link SharedClusterCloser} when the
     * test run ends.
     *
     * <p>It must be closed before the JVM exits: Kafka's test kit deletes its log directories in a
     * shutdown hook, and a broker still running when they vanish halts the JVM with exit code 1,
     * which Maven reports as a failed fork although every test passed. The shutdown hook here is
     * only a last resort for runs outside the JUnit launcher.
     */
    public static synchronized KafkaTestCluster shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(KafkaTestCluster::closeShared, "kafka-test-cluster-stop"));
        }
        return shared;
    }

    /** Stops the JVM-wide cluster if it was started; a later {@link #shared()} starts a new one. */
    public static synchronized void closeShared() {
        if (shared != null) {
            KafkaTestCluster cluster = shared;
            shared = null;
            cluster.closeQuietly();
        }
    }

    /** A cluster of its own, for a test that must stop or restart the broker. */
    public static KafkaTestCluster start() {
        long started = System.nanoTime();
        try {
            TestKitNodes nodes =
                    new TestKitNodes.Builder()
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .build();
            KafkaClusterTestKit kit =
                    new KafkaClusterTestKit.Builder(nodes)
                            .setConfigProp("offsets.topic.replication.factor", "1")
                            .setConfigProp("offsets.topic.num.partitions", "4")
                            .setConfigProp("transaction.state.log.replication.factor", "1")
                            .setConfigProp("transaction.state.log.min.isr", "1")
                            .setConfigProp("transaction.state.log.num.partitions", "4")
                            .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                            .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                            .setConfigProp("group.initial.rebalance.delay.ms", "0")
                            .setConfigProp("num.partitions", "1")
                            .setConfigProp("auto.create.topics.enable", "false")
                            .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            log.info(
                    "Kafka test cluster up [bootstrap:{}, ms:{}]",
                    kit.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new KafkaTestCluster(kit);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-JVM Kafka test cluster", e);
        }
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Admin client properties for this cluster. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Creates the topics (replication factor 1) unless they exist. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = Admin.create(clientProperties())) {
            for (String name : names) {
                try {
                    admin.createTopics(Set.of(new NewTopic(name, partitions, (short) 1)))
                            .all()
                            .get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(
                    "could not create topics " + String.join(",", names), e);
        }
    }

    /** Creates a compacted topic (replication factor 1) unless it exists. */
    public void createCompactedTopic(String name, int partitions) {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(
                            Set.of(
                                    new NewTopic(name, partitions, (short) 1)
                                            .configs(Map.of("cleanup.policy", "compact"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name, e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name, e);
        }
    }

    /** A name unique to this run, so that ITs sharing the cluster never see each other's data. */
    public static String uniqueName(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public void close() throws Exception {
        kit.close();
    }

    private void closeQuietly() {
        try {
            close();
            log.info("Kafka test cluster stopped [bootstrap:{}]", kit.bootstrapServers());
        } catch (Exception e) {
            log.warn("Kafka test cluster did not stop cleanly", e);
        }
    }
}
