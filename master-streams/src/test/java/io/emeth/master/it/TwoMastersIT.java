package io.emeth.master.it;

import static io.emeth.master.it.SimulatedWorld.Fate.CANCELED_BEFORE_PROCESSING;
import static io.emeth.master.it.SimulatedWorld.Fate.INELIGIBLE;
import static io.emeth.master.it.SimulatedWorld.Fate.REJECTED;
import static io.emeth.master.it.SimulatedWorld.Fate.TAKEN_BY_ANOTHER_NODE;
import static io.emeth.master.it.SimulatedWorld.Fate.VERIFIED;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.master.InternalTopics;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.config.MasterStreamsConfigLoader;
import io.emeth.master.it.SimulatedWorld.Fate;
import io.emeth.master.testing.TestConfigs;
import io.emeth.registry.SchemaRegistryServer;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.gateway.SubmitResult;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.KafkaTestCluster;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two master instances (child JVMs, same application id) on the real broker and registry: 20 jobs
 * and 10 workers driven through their topics; the instance that runs the pool's matching is
 * SIGKILLed mid-way. Every job must end in the state its simulated chain dictates, no worker is
 * ever assigned (on worker-assignments) while it holds another job, and each job has exactly one
 * ProcessJob and one SubmitResult.
 */
class TwoMastersIT {
    private static final Logger log = LoggerFactory.getLogger(TwoMastersIT.class);
    private static final int WORKERS = 10;
    private static final Duration LIMIT = Duration.ofSeconds(100_000); // R = 50: two workers of 40

    private final KafkaTestCluster kafka = KafkaTestCluster.shared();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void shouldFinishEveryJobRightWhenTheMatchingInstanceIsKilled(TestInfo test) throws Exception {
        // Given a registry, the pipeline's topics and two masters sharing one application id
        String name =
                test.getTestClass().orElseThrow().getSimpleName()
                        + "-"
                        + UUID.randomUUID().toString().substring(0, 8);
        String prefix = name + ".";
        SchemaRegistryServer registry =
                SchemaRegistryServer.start(
                        SchemaRegistryServer.Settings.defaults(kafka.bootstrapServers())
                                .withTopic(prefix + "_schemas"));
        cleanup.add(registry);
        Topics topics = Topics.create(SerdeConfig.of(registry.url()), prefix);
        createTopics(topics);
        Path dir = Files.createDirectories(Path.of("target", "it", name));
        ChildMaster a =
                ChildMaster.start("a", writeConfig(dir, "a", registry.url(), prefix, name), dir);
        cleanup.add(a);
        ChildMaster b =
                ChildMaster.start("b", writeConfig(dir, "b", registry.url(), prefix, name), dir);
        cleanup.add(b);
        MasterStreamsConfig config = MasterStreamsConfigLoader.load(dir.resolve("master-a.json"));
        String pool = config.poolId();

        // And 10 simulated workers of 40, and 20 jobs: 12 verified, 2 rejected, 2 canceled and
        // 2 taken before processing, 2 with a fee above max_fee
        SimulatedWorld world = new SimulatedWorld(kafka.bootstrapServers(), topics, pool);
        cleanup.add(world);
        world.start(WORKERS, 40);
        List<Fate> fates = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            fates.add(VERIFIED);
        }
        fates.addAll(
                List.of(
                        REJECTED,
                        REJECTED,
                        CANCELED_BEFORE_PROCESSING,
                        CANCELED_BEFORE_PROCESSING));
        fates.addAll(List.of(TAKEN_BY_ANOTHER_NODE, TAKEN_BY_ANOTHER_NODE, INELIGIBLE, INELIGIBLE));
        Map<String, Fate> jobs = new LinkedHashMap<>();
        for (int i = 0; i < fates.size(); i++) {
            BigInteger fee =
                    fates.get(i) == INELIGIBLE
                            ? TestConfigs.emt(31)
                            : TestConfigs.emt(10)
                                    .add(BigInteger.valueOf(i).multiply(TestConfigs.EMT));
            jobs.put(world.request(fee, LIMIT, fates.get(i)), fates.get(i));
        }

        // When a third of the jobs have ended, the instance running the pool's matching is killed
        Awaitility.await("a third of the jobs ended")
                .atMost(Duration.ofSeconds(90))
                .until(() -> ended(world, jobs.keySet()) >= 7);
        ChildMaster victim = matchingInstance(config, topics, pool, a, b);
        log.info("Killing master {} [ended:{}]", victim.name, ended(world, jobs.keySet()));
        victim.kill();

        // Then every job ends in the state its chain dictates
        Awaitility.await("every job in its final state")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(
                        () ->
                                assertThat(finalStates(world, jobs.keySet()))
                                        .isEqualTo(expected(jobs)));

        // And exactly one ProcessJob per eligible job and one SubmitResult per trained job
        Map<String, Long> processes =
                count(world.commands, ProcessJob.class, p -> ((ProcessJob) p).getJobId());
        Map<String, Long> submits =
                count(world.commands, SubmitResult.class, s -> ((SubmitResult) s).getJobId());
        jobs.forEach(
                (job, fate) -> {
                    assertThat(processes.getOrDefault(job, 0L))
                            .as("ProcessJob of %s (%s)", job, fate)
                            .isEqualTo(fate == INELIGIBLE ? 0L : 1L);
                    assertThat(submits.getOrDefault(job, 0L))
                            .as("SubmitResult of %s (%s)", job, fate)
                            .isEqualTo(fate == VERIFIED || fate == REJECTED ? 1L : 0L);
                });

        // And, on worker-assignments, no worker was assigned a job while it held another (no
        // TrainingCanceled and no uploaded result in between), nor the same attempt twice
        assertThat(world.assignmentViolations()).isEmpty();
        assertThat(world.assignedCount())
                .as("TrainingAssigned records seen")
                .isGreaterThanOrEqualTo(2 * 16);
        assertThat(victim.alive()).isFalse();
    }

    private static Map<String, JobState> expected(Map<String, Fate> jobs) {
        Map<String, JobState> out = new HashMap<>();
        jobs.forEach(
                (job, fate) ->
                        out.put(
                                job,
                                switch (fate) {
                                    case VERIFIED -> JobState.VERIFIED;
                                    case REJECTED -> JobState.REJECTED;
                                    case CANCELED_BEFORE_PROCESSING -> JobState.CANCELED;
                                    case TAKEN_BY_ANOTHER_NODE -> JobState.TAKEN;
                                    case INELIGIBLE -> JobState.INELIGIBLE;
                                }));
        return out;
    }

    private static Map<String, JobState> finalStates(SimulatedWorld world, Set<String> jobs) {
        Map<String, JobState> out = new HashMap<>();
        for (String job : jobs) {
            JobView view = world.jobs.get(job);
            out.put(job, view == null ? null : view.getState());
        }
        return out;
    }

    private static long ended(SimulatedWorld world, Set<String> jobs) {
        Set<JobState> done =
                Set.of(JobState.VERIFIED, JobState.REJECTED, JobState.CANCELED, JobState.TAKEN);
        return jobs.stream()
                .map(world.jobs::get)
                .filter(v -> v != null && done.contains(v.getState()))
                .count();
    }

    private static Map<String, Long> count(
            List<ChainCommand> commands, Class<?> type, Function<Object, String> jobId) {
        return commands.stream()
                .map(ChainCommand::getPayload)
                .filter(type::isInstance)
                .collect(Collectors.groupingBy(jobId, Collectors.counting()));
    }

    /** The instance whose consumer owns the pool's partition of the pool inbox. */
    private ChildMaster matchingInstance(
            MasterStreamsConfig config, Topics topics, String pool, ChildMaster a, ChildMaster b)
            throws Exception {
        String inbox = InternalTopics.poolInbox(config, topics);
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            int partitions =
                    admin.describeTopics(List.of(inbox))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(inbox)
                            .partitions()
                            .size();
            int partition =
                    Utils.toPositive(Utils.murmur2(pool.getBytes(StandardCharsets.UTF_8)))
                            % partitions;
            TopicPartition owned = new TopicPartition(inbox, partition);
            ConsumerGroupDescription group =
                    admin.describeConsumerGroups(List.of(config.master().applicationId()))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(config.master().applicationId());
            for (MemberDescription member : group.members()) {
                if (member.assignment().topicPartitions().contains(owned)) {
                    return member.clientId().startsWith("master-a") ? a : b;
                }
            }
        }
        throw new IllegalStateException("no instance owns the pool inbox partition yet");
    }

    private void createTopics(Topics topics) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(topics.specs().stream().map(s -> s.newTopic((short) 1)).toList())
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
    }

    private static Path writeConfig(
            Path dir, String instance, String registry, String prefix, String appId)
            throws Exception {
        String extra =
                "\"kafka_bootstrap_servers\": \""
                        + KafkaTestCluster.shared().bootstrapServers()
                        + "\", \"schema_registry_url\": \""
                        + registry
                        + "\", \"topic_prefix\": \""
                        + prefix
                        + "\", \"application_id\": \""
                        + appId
                        + "\", \"state_dir\": \""
                        + dir.resolve("state-" + instance).toAbsolutePath()
                        + "\", \"punctuate_interval_ms\": 500,"
                        + " \"kafka_properties\": {\"client.id\": \"master-"
                        + instance
                        + "\", \"session.timeout.ms\": \"6000\", \"heartbeat.interval.ms\": \"1500\"}";
        String json = TestConfigs.json("nvm", extra);
        Path file = dir.resolve("master-" + instance + ".json");
        Files.writeString(file, json);
        return file;
    }
}
