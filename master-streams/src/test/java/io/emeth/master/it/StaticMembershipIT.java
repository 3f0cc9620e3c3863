package io.emeth.master.it;

import static io.emeth.master.it.SimulatedWorld.Fate.VERIFIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.master.config.MasterStreamsConfigLoader;
import io.emeth.master.testing.TestConfigs;
import io.emeth.registry.SchemaRegistryServer;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ProcessJob;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.KafkaTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Static membership of the master's consumer group (issue #15), on the real broker with masters as
 * child JVMs that can be SIGKILLed: a restarted master takes its tasks back while the dead member's
 * session is still open, and two live instances never share an instance id.
 *
 * <p>The session timeout is five minutes here, far longer than any wait of the test: a master that
 * joined as a new dynamic member would get no task before the broker expired the dead one, so a job
 * matched by the restarted master within the test's waits proves the take-back without timing
 * anything.
 */
class StaticMembershipIT {
    private static final String LONG_SESSION_MS = "300000";
    private static final Duration WAIT = Duration.ofSeconds(150);

    private final KafkaTestCluster kafka = KafkaTestCluster.shared();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private String name;
    private Path dir;
    private Topics topics;
    private SchemaRegistryServer registry;

    @BeforeEach
    void stack(TestInfo test) throws Exception {
        name = KafkaTestCluster.uniqueName(test.getTestMethod().orElseThrow().getName());
        registry =
                SchemaRegistryServer.start(
                        SchemaRegistryServer.Settings.defaults(kafka.bootstrapServers())
                                .withTopic(name + "._schemas"));
        cleanup.add(registry);
        topics = Topics.create(SerdeConfig.of(registry.url()), name + ".");
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(topics.specs().stream().map(s -> s.newTopic((short) 1)).toList())
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        dir = Files.createDirectories(Path.of("target", "it", name)).toAbsolutePath();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void shouldTakeItsTasksBackAtOnceWhenTheMasterIsKilledAndRestarted() throws Exception {
        // Given a master with its default instance id, two workers, and a first job matched
        Path config = writeConfig("a", "state-a", null);
        ChildMaster first = start("a-run1", config);
        String pool = MasterStreamsConfigLoader.load(config).poolId();
        SimulatedWorld world = new SimulatedWorld(kafka.bootstrapServers(), topics, pool);
        cleanup.add(world);
        world.start(2, 40);
        String before = world.request(TestConfigs.emt(20), Duration.ofSeconds(100_000), VERIFIED);
        awaitState(world, before, JobState.VERIFIED);
        String instance = onlyMember().groupInstanceId().orElseThrow();

        // When the master is SIGKILLed and started again while its member's session is open
        first.kill();
        ChildMaster second = start("a-run2", config);

        // Then a job requested after the restart is matched and finishes: the restarted master
        // got its tasks back without waiting for the dead member's five-minute session to expire
        String after = world.request(TestConfigs.emt(21), Duration.ofSeconds(100_000), VERIFIED);
        awaitState(world, after, JobState.VERIFIED);
        assertThat(processJobs(world, after)).as("ProcessJob commands of %s", after).isEqualTo(1);

        // And the group holds one member, the restarted instance under the same static id
        MemberDescription member = onlyMember();
        assertThat(member.groupInstanceId()).contains(instance);
        assertThat(second.alive()).isTrue();
    }

    @Test
    void shouldStopTheOlderInstanceWhenAnotherLiveOneJoinsWithTheSameInstanceId() throws Exception {
        // Given a running master with an explicit instance_id
        ChildMaster older = start("older", writeConfig("older", "state-older", "master-x"));

        // When a second instance, on a state folder of its own, is started with the same id
        ChildMaster newer = start("newer", writeConfig("newer", "state-newer", "master-x"));

        // Then the broker fences the older one, which stops naming the shared id, and does not
        // take the id back from the newer one
        Awaitility.await("the older master stopping")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !older.alive());
        assertThat(Files.readString(older.log))
                .contains("instance_id master-x")
                .contains("two instances must not share an instance_id");
        assertThat(newer.alive()).isTrue();
        assertThat(onlyMember().groupInstanceId())
                .hasValueSatisfying(id -> assertThat(id).startsWith("master-x"));
    }

    @Test
    void shouldRefuseASecondMasterOnTheSameStateDir() throws Exception {
        // Given a running master
        start("first", writeConfig("first", "state-shared", null));

        // When a second one is started on the same state folder
        // Then it does not start, and says which instance holds the folder
        assertThatThrownBy(() -> start("second", writeConfig("second", "state-shared", null)))
                .hasMessageContaining("another master instance runs on state_dir")
                .hasMessageContaining("state-shared")
                .hasMessageContaining("each instance needs its own state_dir");
    }

    private ChildMaster start(String instance, Path config) throws Exception {
        ChildMaster master = ChildMaster.start(instance, config, dir);
        cleanup.add(master);
        return master;
    }

    private static void awaitState(SimulatedWorld world, String jobId, JobState state) {
        Awaitility.await("job " + jobId + " " + state)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () ->
                                Optional.ofNullable(world.job(jobId))
                                        .map(JobView::getState)
                                        .filter(state::equals)
                                        .isPresent());
    }

    private static long processJobs(SimulatedWorld world, String jobId) {
        return world.commands.stream()
                .map(ChainCommand::getPayload)
                .filter(p -> p instanceof ProcessJob pj && pj.getJobId().equals(jobId))
                .count();
    }

    /** The group's one member, once the group is stable with exactly one. */
    private MemberDescription onlyMember() throws Exception {
        List<MemberDescription> members = new ArrayList<>();
        Awaitility.await("the group " + name + " stable with one member")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            ConsumerGroupDescription group = describe();
                            members.clear();
                            members.addAll(group.members());
                            return members.size() == 1 && group.groupState() == GroupState.STABLE;
                        });
        return members.get(0);
    }

    private ConsumerGroupDescription describe() throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            return admin.describeConsumerGroups(List.of(name))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(name);
        }
    }

    private Path writeConfig(String instance, String stateDir, String instanceId) throws Exception {
        String extra =
                "\"kafka_bootstrap_servers\": \""
                        + kafka.bootstrapServers()
                        + "\", \"schema_registry_url\": \""
                        + registry.url()
                        + "\", \"topic_prefix\": \""
                        + name
                        + ".\", \"application_id\": \""
                        + name
                        + "\", \"state_dir\": \""
                        + dir.resolve(stateDir)
                        + "\", \"punctuate_interval_ms\": 500"
                        + (instanceId == null ? "" : ", \"instance_id\": \"" + instanceId + "\"")
                        + ", \"kafka_properties\": {\"session.timeout.ms\": \""
                        + LONG_SESSION_MS
                        + "\"}";
        Path file = dir.resolve("master-" + instance + ".json");
        Files.writeString(file, TestConfigs.json("nvm", extra));
        return file;
    }
}
