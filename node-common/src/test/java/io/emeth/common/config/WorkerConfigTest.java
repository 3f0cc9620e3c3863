package io.emeth.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {
    static final String SRC = "config/worker.json";

    static WorkerConfig parse(String json) {
        return ConfigLoaderTest.NO_ENV.parseWorker(json, SRC).config();
    }

    @Test
    void shouldReadTheOriginalKeysWithTimeoutDefaults() {
        // Given the original worker file without privateKey and with part of the timeouts
        WorkerConfig c =
                parse(
                        "{\"device\": \"cuda\", \"my_url\": \"http://10.0.0.7:3000\","
                                + " \"master_node_url\": \"http://10.0.0.5:5000\","
                                + " \"powerCapacity\": 120, \"timeout\": {\"idle\": 600000}}");
        // Then the missing timeouts take the original's defaults and no key is configured
        assertThat(c.device()).isEqualTo("cuda");
        assertThat(c.masterNodeUrl()).isEqualTo(URI.create("http://10.0.0.5:5000"));
        assertThat(c.powerCapacity()).isEqualTo(120);
        assertThat(c.identity()).isEmpty();
        assertThat(c.keyFile()).isEqualTo(Path.of("config/worker.key"));
        assertThat(c.timeouts())
                .isEqualTo(
                        new WorkerTimeouts(
                                Duration.ofMillis(300_000),
                                Duration.ofMillis(600_000),
                                Duration.ofMillis(10_000),
                                Duration.ofMillis(2_400_000)));
        assertThat(c.kafkaBootstrapServers()).isEmpty();
        assertThat(c.pool()).isEmpty();
        assertThat(c.modelsDir()).isEqualTo(Path.of(".emeth/models"));
        assertThat(c.maxUpdateNormMultiple()).isEqualTo(10);
    }

    @Test
    void shouldReadMaxUpdateNormMultipleAndRefuseOneBelowOne() {
        // Given a worker file bounding shard updates at 4x the round's median
        WorkerConfig c =
                parse(
                        "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\": 7,"
                                + " \"max_update_norm_multiple\": 4}");

        // Then it is read and written back; 0 is refused naming the key
        assertThat(c.maxUpdateNormMultiple()).isEqualTo(4);
        assertThat(parse(ConfigWriter.toJson(c))).isEqualTo(c);
        assertThatThrownBy(
                        () ->
                                parse(
                                        "{\"master_node_url\": \"http://m:5000\","
                                                + " \"powerCapacity\": 7,"
                                                + " \"max_update_norm_multiple\": 0}"))
                .hasMessageContaining("max_update_norm_multiple: must be between 1 and");
    }

    @Test
    void shouldReadModelsDirAndWriteItBack() {
        // Given a worker file naming where its pretrained checkpoints are
        WorkerConfig c =
                parse(
                        "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\": 7,"
                                + " \"models_dir\": \"/var/lib/emeth/models\"}");

        // Then it is read, and written back by ConfigWriter
        assertThat(c.modelsDir()).isEqualTo(Path.of("/var/lib/emeth/models"));
        assertThat(ConfigWriter.toJson(c)).contains("\"models_dir\" : \"/var/lib/emeth/models\"");
        assertThat(parse(ConfigWriter.toJson(c))).isEqualTo(c);
    }

    @Test
    void shouldRejectMissingAndBadOriginalKeys() {
        assertThatThrownBy(() -> parse("{\"powerCapacity\": 1}"))
                .hasMessage(
                        SRC
                                + ": master_node_url: missing; the master's admin-rpc URL, e.g."
                                + " http://127.0.0.1:5000");
        assertThatThrownBy(() -> parse("{\"master_node_url\": \"http://m:5000\"}"))
                .hasMessageContaining(SRC + ": powerCapacity: missing");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\":"
                                                + " 0}"))
                .hasMessageContaining("powerCapacity: must be between 1 and");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\":"
                                                + " 1, \"timeout\": {\"learning\": \"soon\"}}"))
                .hasMessage(SRC + ": timeout.learning: not a number: 'soon'");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\":"
                                                + " 1, \"timeout\": 5}"))
                .hasMessageContaining("timeout: expected an object");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\":"
                                                + " 1, \"pool\": \"me\"}"))
                .hasMessageContaining("pool: not an Ethereum address");
    }

    @Test
    void shouldWarnAboutUnknownNestedKeys() {
        var loaded =
                ConfigLoaderTest.NO_ENV.parseWorker(
                        "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\": 1,"
                                + " \"timeout\": {\"idel\": 5}}",
                        SRC);
        assertThat(loaded.warnings())
                .containsExactly(
                        SRC
                                + ": unknown key 'timeout.idel' ignored (did you mean 'timeout.idle'?)");
    }

    @Test
    void shouldOverrideNestedKeysFromTheEnvironment() {
        ConfigLoader loader =
                new ConfigLoader(
                        Map.of(
                                "EMETH_TIMEOUT_WAIT_DATA", "1000",
                                "EMETH_WORKER_PRIVATE_KEY", ConfigLoaderTest.KEY,
                                "EMETH_KAFKA_PROPERTIES", "{\"security.protocol\": \"SSL\"}"));
        WorkerConfig c =
                loader.parseWorker(
                                "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\": 1}",
                                SRC)
                        .config();
        assertThat(c.timeouts().waitData()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.identity())
                .hasValueSatisfying(
                        id -> assertThat(id.address()).isEqualTo(ConfigLoaderTest.ADDRESS));
        assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void shouldRoundTripAndHideTheKey() {
        WorkerConfig c =
                parse(
                        "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\": 7,"
                                + " \"privateKey\": \""
                                + ConfigLoaderTest.KEY
                                + "\", \"pool\": \""
                                + ConfigLoaderTest.ADDRESS.toLowerCase()
                                + "\", \"kafka_bootstrap_servers\": \"k1:9092, k2:9093\"}");
        assertThat(c.pool()).contains(ConfigLoaderTest.ADDRESS);
        assertThat(c.kafkaBootstrapServers()).contains("k1:9092,k2:9093");
        assertThat(c.toString()).doesNotContain(ConfigLoaderTest.KEY.substring(2));
        var reloaded = ConfigLoaderTest.NO_ENV.parseWorker(ConfigWriter.toJson(c), "written");
        assertThat(reloaded.config()).isEqualTo(c);
        assertThat(reloaded.warnings()).isEmpty();
    }

    static final String BASE = "{\"master_node_url\": \"http://m:5000\", \"powerCapacity\": 7";

    static String withFineTuning(String section) {
        return BASE + ", \"fine_tuning\": " + section + "}";
    }

    @Test
    void shouldFineTuneWithTheOriginalsRecipeWhenTheSectionIsAbsent() {
        // Given a worker file without fine_tuning
        WorkerConfig c = parse(BASE + "}");

        // Then jobs fine-tune on 128-token chunks at 5e-5 with warm-up and cosine decay
        assertThat(c.fineTuning()).isEqualTo(FineTuning.DEFAULTS);
        assertThat(c.fineTuning()).isEqualTo(new FineTuning(128, 5e-5, 0.1, true, 0.01, 1.0, 0.1));
    }

    @Test
    void shouldReadTheFineTuningSectionKeepDefaultsForTheRestAndWriteItBack() {
        // Given a section changing the rate, the chunk length and the decay only
        WorkerConfig c =
                parse(
                        withFineTuning(
                                "{\"learning_rate\": 1e-4, \"context_length\": 256,"
                                        + " \"cosine_decay\": false}"));

        // Then those are read, the others keep the defaults, and ConfigWriter writes it back
        FineTuning f = c.fineTuning();
        assertThat(f.learningRate()).isEqualTo(1e-4);
        assertThat(f.contextLength()).isEqualTo(256);
        assertThat(f.cosineDecay()).isFalse();
        assertThat(f.weightDecay()).isEqualTo(FineTuning.DEFAULTS.weightDecay());
        assertThat(f.warmupRatio()).isEqualTo(FineTuning.DEFAULTS.warmupRatio());
        assertThat(f.dropout()).isEqualTo(FineTuning.DEFAULTS.dropout());
        var reloaded = ConfigLoaderTest.NO_ENV.parseWorker(ConfigWriter.toJson(c), "written");
        assertThat(reloaded.config()).isEqualTo(c);
        assertThat(reloaded.warnings()).isEmpty();
    }

    @Test
    void shouldRefuseHostileFineTuningValuesNamingTheKeyAndValue() {
        assertThatThrownBy(() -> parse(withFineTuning("{\"learning_rate\": -0.001}")))
                .hasMessage(SRC + ": fine_tuning.learning_rate: must be in (0, 1], got -0.001");
        assertThatThrownBy(() -> parse(withFineTuning("{\"learning_rate\": 0}")))
                .hasMessageContaining("fine_tuning.learning_rate: must be in (0, 1], got 0");
        assertThatThrownBy(() -> parse(withFineTuning("{\"learning_rate\": \"NaN\"}")))
                .hasMessage(SRC + ": fine_tuning.learning_rate: not a number: 'NaN'");
        assertThatThrownBy(() -> parse(withFineTuning("{\"learning_rate\": \"Infinity\"}")))
                .hasMessageContaining("fine_tuning.learning_rate: not a number: 'Infinity'");
        assertThatThrownBy(() -> parse(withFineTuning("{\"weight_decay\": 1e400}")))
                .hasMessageContaining("fine_tuning.weight_decay: must be in [0, 1]");
        assertThatThrownBy(() -> parse(withFineTuning("{\"learning_rate\": \"high\"}")))
                .hasMessageContaining("fine_tuning.learning_rate: not a number: 'high'");
        assertThatThrownBy(() -> parse(withFineTuning("{\"learning_rate\": [1]}")))
                .hasMessageContaining("fine_tuning.learning_rate: expected a number, got an array");
        assertThatThrownBy(() -> parse(withFineTuning("{\"context_length\": 0}")))
                .hasMessage(
                        SRC + ": fine_tuning.context_length: must be between 1 and 65536, got 0");
        assertThatThrownBy(() -> parse(withFineTuning("{\"context_length\": 12.5}")))
                .hasMessageContaining(
                        "fine_tuning.context_length: must be a whole number, got 12.5");
        assertThatThrownBy(() -> parse(withFineTuning("{\"dropout\": 1.5}")))
                .hasMessageContaining("fine_tuning.dropout: must be in [0, 1), got 1.5");
        assertThatThrownBy(() -> parse(withFineTuning("{\"warmup_ratio\": 1}")))
                .hasMessageContaining("fine_tuning.warmup_ratio: must be in [0, 1), got 1");
        assertThatThrownBy(() -> parse(withFineTuning("{\"grad_clip\": -1}")))
                .hasMessageContaining("fine_tuning.grad_clip: must be in [0, 1000000], got -1");
        assertThatThrownBy(() -> parse(withFineTuning("{\"cosine_decay\": \"yes\"}")))
                .hasMessageContaining(
                        "fine_tuning.cosine_decay: expected true or false, got string \"yes\"");
        assertThatThrownBy(() -> parse(withFineTuning("0.001")))
                .hasMessageContaining("fine_tuning: expected an object");
    }

    @Test
    void shouldRefuseANotANumberLearningRateFromTheEnvironmentNamingTheVariable() {
        ConfigLoader loader = new ConfigLoader(Map.of("EMETH_FINE_TUNING_LEARNING_RATE", "NaN"));
        assertThatThrownBy(() -> loader.parseWorker(BASE + "}", SRC))
                .hasMessage(
                        "environment variable EMETH_FINE_TUNING_LEARNING_RATE:"
                                + " fine_tuning.learning_rate: not a number: 'NaN'");
    }

    @Test
    void shouldOverrideAFineTuningKeyFromTheEnvironment() {
        ConfigLoader loader =
                new ConfigLoader(Map.of("EMETH_WORKER_FINE_TUNING_LEARNING_RATE", "3e-5"));
        WorkerConfig c =
                loader.parseWorker(withFineTuning("{\"learning_rate\": 1e-4}"), SRC).config();
        assertThat(c.fineTuning().learningRate()).isEqualTo(3e-5);
    }

    @Test
    void shouldWarnAboutAnUnknownFineTuningKeyAndSuggestTheRightOne() {
        // Given a misspelt learning rate
        var loaded =
                ConfigLoaderTest.NO_ENV.parseWorker(
                        withFineTuning("{\"learning_rte\": 1e-4}"), SRC);

        // Then the operator is told which key was ignored and what was meant; the default holds
        assertThat(loaded.warnings())
                .containsExactly(
                        SRC
                                + ": unknown key 'fine_tuning.learning_rte' ignored (did you mean"
                                + " 'fine_tuning.learning_rate'?)");
        assertThat(loaded.config().fineTuning()).isEqualTo(FineTuning.DEFAULTS);
    }

    @Test
    void shouldRefuseARecipeOutsideItsRangesWhenBuiltInCode() {
        assertThatThrownBy(() -> new FineTuning(128, Double.NaN, 0.1, true, 0.01, 1, 0.1))
                .hasMessage("fine_tuning.learning_rate must be in (0, 1], got NaN");
        assertThatThrownBy(() -> new FineTuning(0, 5e-5, 0.1, true, 0.01, 1, 0.1))
                .hasMessageContaining("fine_tuning.context_length must be between 1 and 65536");
    }
}
