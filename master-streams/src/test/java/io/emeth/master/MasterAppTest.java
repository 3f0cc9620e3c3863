package io.emeth.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterAppTest {
    @TempDir Path dir;

    @Test
    void shouldJoinAsAStaticMemberWithAThirtySecondSessionAndNoStandbyWhenAlone() {
        // Given a single master with an explicit instance id
        MasterStreamsConfig config = TestConfigs.config("nvm", "\"instance_id\": \"m-1\"");

        // When its Streams properties are built
        StreamsConfig streams = new StreamsConfig(MasterApp.streamsProperties(config));

        // Then the main consumer carries the static id and the session timeout, no standby is kept
        var consumer = streams.getMainConsumerConfigs("g", "c", 1);
        assertThat(consumer.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).isEqualTo("m-1-1");
        assertThat(consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(30_000);
        assertThat(streams.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isZero();
    }

    @Test
    void shouldKeepOneWarmStandbyWhenMoreInstancesShareTheApplication() {
        MasterStreamsConfig config = TestConfigs.config("nvm", "\"master_instances\": 2");
        Properties props = MasterApp.streamsProperties(config);
        assertThat(new StreamsConfig(props).getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG))
                .isEqualTo(1);
    }

    @Test
    void shouldLetKafkaPropertiesOverrideTheSessionTimeoutAndTheStandbys() {
        MasterStreamsConfig config =
                TestConfigs.config(
                        "nvm",
                        "\"kafka_properties\": {\"session.timeout.ms\": \"6000\","
                                + " \"num.standby.replicas\": \"2\"}");
        StreamsConfig streams = new StreamsConfig(MasterApp.streamsProperties(config));
        assertThat(streams.getMainConsumerConfigs("g", "c", 0))
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        assertThat(streams.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(2);
    }

    @Test
    void shouldCommitEvery30MsAndSendWithoutWaitingForTheCommit() {
        StreamsConfig streams =
                new StreamsConfig(MasterApp.streamsProperties(TestConfigs.config("nvm")));
        assertThat(streams.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(30);
        var producer = streams.getProducerConfigs("p");
        assertThat(producer).containsEntry(ProducerConfig.LINGER_MS_CONFIG, 5);
        assertThat(producer).containsEntry(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    }

    @Test
    void shouldBoundTheStoreCacheToOneMebibyte() {
        StreamsConfig streams =
                new StreamsConfig(MasterApp.streamsProperties(TestConfigs.config("nvm")));
        assertThat(streams.getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG))
                .isEqualTo(1024 * 1024);
    }

    @Test
    void shouldLetKafkaPropertiesOverrideTheLatencySettings() {
        MasterStreamsConfig config =
                TestConfigs.config(
                        "nvm",
                        "\"kafka_properties\": {\"commit.interval.ms\": \"50\","
                                + " \"producer.linger.ms\": \"20\"}");
        StreamsConfig streams = new StreamsConfig(MasterApp.streamsProperties(config));
        assertThat(streams.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50);
        assertThat(streams.getProducerConfigs("p"))
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20");
    }

    @Test
    void shouldRecogniseAFencedInstanceIdBehindStreamsWrappers() {
        assertThat(
                        MasterApp.fencedInstance(
                                new StreamsException(
                                        new RuntimeException(new FencedInstanceIdException("x")))))
                .isTrue();
        assertThat(MasterApp.fencedInstance(new StreamsException("other"))).isFalse();
    }

    @Test
    void shouldRefuseASecondLockOnTheSameStateDirNamingTheHolder() throws Exception {
        // Given a master holding its state folder
        try (StateDirLock held = StateDirLock.acquire(dir, "m-1")) {
            // When another instance asks for the same folder
            // Then it is refused, naming the folder and the instance that holds it
            assertThatThrownBy(() -> StateDirLock.acquire(dir, "m-2"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("instance_id m-1")
                    .hasMessageContaining("each instance needs its own state_dir");
        }
        // And once the holder stops, the folder is free again
        StateDirLock.acquire(dir, "m-2").close();
        assertThat(Files.readString(dir.resolve(StateDirLock.FILE))).contains("instance_id m-2");
    }
}
