package io.emeth.master.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.config.ConfigException;
import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.Cooperative;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.worker.AggregationMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterStreamsConfigLoaderTest {
    private final MasterStreamsConfigLoader loader = new MasterStreamsConfigLoader(Map.of());

    @Test
    void shouldReadTheOriginalKeysAndTheStreamsKeys() {
        ConfigLoader.Loaded<MasterStreamsConfig> loaded =
                loader.parse(
                        TestConfigs.json(
                                "1v1",
                                "\"model\": {\"embedding_dim\": 96, \"heads\": 3},"
                                        + "\"aggregation\": {\"method\": \"diloco\"},"
                                        + "\"topic_prefix\": \"it-1.\", \"stream_threads\": 2,"
                                        + "\"punctuate_interval_ms\": 250"),
                        "master.json");
        MasterStreamsConfig config = loaded.config();
        assertThat(config.master().cooperative()).isEqualTo(Cooperative.ONE_V_ONE);
        assertThat(config.poolId()).isEqualTo(TestConfigs.MASTER.address());
        assertThat(config.timeouts().learning()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.timeouts().waitData()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.model().embeddingDim()).isEqualTo(96);
        assertThat(config.model().heads()).isEqualTo(3);
        assertThat(config.aggregation().method()).isEqualTo(AggregationMethod.DILOCO);
        assertThat(config.aggregation().outerMomentum()).isEqualTo(0.9);
        assertThat(config.topicPrefix()).isEqualTo("it-1.");
        assertThat(config.streamThreads()).isEqualTo(2);
        assertThat(config.punctuateInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void shouldUseDefaultsForAbsentStreamsKeys() {
        String minimal =
                "{\"emethContractAddress\": \"0x5FbDB2315678afecb367f032d93F642f64180aa3\","
                        + "\"tokenContractAddress\": \"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\","
                        + "\"privateKey\": \""
                        + TestConfigs.MASTER_KEY
                        + "\", \"storageApi\": \"http://127.0.0.1:9\"}";
        MasterStreamsConfig config = loader.parse(minimal, "master.json").config();
        assertThat(config.timeouts()).isEqualTo(io.emeth.common.config.WorkerTimeouts.DEFAULTS);
        assertThat(config.model()).isEqualTo(ModelSettings.DEFAULTS);
        assertThat(config.aggregation()).isEqualTo(AggregationSettings.DEFAULTS);
        assertThat(config.topicPrefix()).isEmpty();
        assertThat(config.master().applicationId()).isEqualTo("emeth-master");
    }

    @Test
    void shouldRefuseACooperativeOtherThanNvmOr1v1NamingTheKey() {
        assertThatThrownBy(() -> loader.parse(TestConfigs.json("2v2", null), "config/master.json"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config/master.json")
                .hasMessageContaining("cooperative")
                .hasMessageContaining("2v2");
    }

    @Test
    void shouldNameTheKeyOfABadStreamsValue() {
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json("nvm", "\"stream_threads\": \"many\""),
                                        "m.json"))
                .hasMessageContaining("m.json: stream_threads: not a whole number");
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json("nvm", "\"model\": {\"heads\": 5}"),
                                        "m.json"))
                .hasMessageContaining("model.heads");
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json(
                                                "nvm", "\"aggregation\": {\"method\": \"median\"}"),
                                        "m.json"))
                .hasMessageContaining("aggregation.method");
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json("nvm", "\"topic_prefix\": \"a b\""),
                                        "m.json"))
                .hasMessageContaining("topic_prefix");
        assertThatThrownBy(() -> loader.parse(TestConfigs.json("nvm", "\"model\": 7"), "m.json"))
                .hasMessageContaining("model");
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json("nvm", "\"punctuate_interval_ms\": 1"),
                                        "m.json"))
                .hasMessageContaining("punctuate_interval_ms: 1 is out of range");
    }

    @Test
    void shouldReadTheMatchBatchWithItsDefaultAndRange() {
        MasterStreamsConfigLoader loader = new MasterStreamsConfigLoader(Map.of());
        assertThat(loader.parse(TestConfigs.json("nvm", ""), "m.json").config().matchBatch())
                .isEqualTo(Duration.ofMillis(5));
        assertThat(
                        loader.parse(TestConfigs.json("nvm", "\"match_batch_ms\": 0"), "m.json")
                                .config()
                                .matchBatch())
                .isZero();
        assertThat(
                        loader.parse(TestConfigs.json("nvm", "\"match_batch_ms\": 1000"), "m.json")
                                .warnings())
                .isEmpty();
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json("nvm", "\"match_batch_ms\": 1001"),
                                        "m.json"))
                .hasMessageContaining("match_batch_ms: 1001 is out of range");
    }

    @Test
    void shouldReadTheHeartbeatBatchWithA100MsDefault() {
        assertThat(loader.parse(TestConfigs.json("nvm", ""), "m.json").config().heartbeatBatch())
                .isEqualTo(Duration.ofMillis(100));
        assertThat(
                        loader.parse(TestConfigs.json("nvm", "\"heartbeat_batch_ms\": 0"), "m.json")
                                .config()
                                .heartbeatBatch())
                .isZero();
        assertThat(
                        loader.parse(
                                        TestConfigs.json("nvm", "\"heartbeat_batch_ms\": 5000"),
                                        "m.json")
                                .warnings())
                .isEmpty();
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json("nvm", "\"heartbeat_batch_ms\": 5001"),
                                        "m.json"))
                .hasMessageContaining("heartbeat_batch_ms: 5001 is out of range");
    }

    @Test
    void shouldLetEnvironmentVariablesOverrideTheFile() {
        MasterStreamsConfigLoader withEnv =
                new MasterStreamsConfigLoader(
                        Map.of(
                                "EMETH_TIMEOUT_LEARNING",
                                "5000",
                                "EMETH_MASTER_TOPIC_PREFIX",
                                "env-"));
        MasterStreamsConfig config =
                withEnv.parse(TestConfigs.json("nvm", null), "m.json").config();
        assertThat(config.timeouts().learning()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.topicPrefix()).isEqualTo("env-");
        assertThatThrownBy(
                        () ->
                                new MasterStreamsConfigLoader(Map.of("EMETH_TIMEOUT_IDLE", "-1"))
                                        .parse(TestConfigs.json("nvm", null), "m.json"))
                .hasMessageContaining("environment variable EMETH_TIMEOUT_IDLE: timeout.idle");
    }

    @Test
    void shouldStillWarnAboutKeysNoOneReads() {
        var loaded = loader.parse(TestConfigs.json("nvm", "\"modle\": {}"), "m.json");
        assertThat(loaded.warnings()).singleElement().asString().contains("modle");
    }

    @Test
    void shouldLoadAFileAndNameAMissingOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("master.json");
        Files.writeString(file, TestConfigs.json("nvm", null));
        assertThat(MasterStreamsConfigLoader.load(file).poolId())
                .isEqualTo(TestConfigs.MASTER.address());
        assertThatThrownBy(() -> MasterStreamsConfigLoader.load(dir.resolve("absent.json")))
                .hasMessageContaining("absent.json")
                .hasMessageContaining("not found");
    }

    @Test
    void shouldDeriveAStableInstanceIdFromTheHostAndTheStateDirWhenNoneIsSet() {
        // Given two configs on different state folders, one of them loaded twice
        MasterStreamsConfig a =
                loader.parse(TestConfigs.json("nvm", "\"state_dir\": \"/var/lib/a\""), "m.json")
                        .config();
        MasterStreamsConfig again =
                loader.parse(TestConfigs.json("nvm", "\"state_dir\": \"/var/lib/a\""), "m.json")
                        .config();
        MasterStreamsConfig b =
                loader.parse(TestConfigs.json("nvm", "\"state_dir\": \"/var/lib/b\""), "m.json")
                        .config();

        // Then each instance id is the host name and a hash of its folder: the same on every
        // load, different between the folders; one instance runs without standbys
        String host = Membership.localHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        assertThat(a.membership().instanceId())
                .matches(java.util.regex.Pattern.quote(host) + "-[0-9a-f]{8}");
        assertThat(again.membership()).isEqualTo(a.membership());
        assertThat(b.membership().instanceId()).isNotEqualTo(a.membership().instanceId());
        assertThat(a.membership().instances()).isEqualTo(1);
        assertThat(a.membership().standbyReplicas()).isZero();
    }

    @Test
    void shouldReadInstanceIdAndMasterInstances() {
        MasterStreamsConfig config =
                loader.parse(
                                TestConfigs.json(
                                        "nvm",
                                        "\"instance_id\": \"master-2\", \"master_instances\": 3"),
                                "m.json")
                        .config();
        assertThat(config.membership().instanceId()).isEqualTo("master-2");
        assertThat(config.membership().standbyReplicas()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAnInstanceIdKafkaCannotCarryNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json("nvm", "\"instance_id\": \"a b/c\""),
                                        "m.json"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("m.json")
                .hasMessageContaining("instance_id");
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json("nvm", "\"master_instances\": 0"),
                                        "m.json"))
                .hasMessageContaining("master_instances");
    }

    @Test
    void shouldNotWarnAboutTheMembershipKeys() {
        ConfigLoader.Loaded<MasterStreamsConfig> loaded =
                loader.parse(
                        TestConfigs.json("nvm", "\"instance_id\": \"m1\", \"master_instances\": 2"),
                        "m.json");
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void shouldDefaultTheModelsTableToTheOriginalsCheckpoints() {
        MasterStreamsConfig config =
                loader.parse(TestConfigs.json("nvm", ""), "master.json").config();
        assertThat(config.models().modelFor(0, "en")).isEqualTo("gpt2-medium");
        assertThat(config.models().modelFor(0, "ja")).isEqualTo("japanese-gpt2-medium");
        assertThat(config.models().modelFor(1, "en")).isNull();
    }

    @Test
    void shouldReadAModelsTableThatReplacesTheDefaults() {
        MasterStreamsConfig config =
                loader.parse(
                                TestConfigs.json(
                                        "nvm",
                                        "\"models\": {\"0\": {\"EN\": \"gpt2\"},"
                                                + " \"7\": {\"ja\": \"rinna-small\"}}"),
                                "master.json")
                        .config();
        assertThat(config.models().modelFor(0, "en")).isEqualTo("gpt2");
        assertThat(config.models().modelFor(0, "ja")).isNull();
        assertThat(config.models().modelFor(7, "ja")).isEqualTo("rinna-small");
    }

    @Test
    void shouldRefuseAModelNameThatIsNotADirectoryName() {
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json(
                                                "nvm", "\"models\": {\"0\": {\"en\": \"../etc\"}}"),
                                        "master.json"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models.0.en")
                .hasMessageContaining("directory name");
        assertThatThrownBy(
                        () ->
                                loader.parse(
                                        TestConfigs.json(
                                                "nvm", "\"models\": {\"zero\": {\"en\": \"x\"}}"),
                                        "master.json"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models.zero");
    }
}
