package io.emeth.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.registry.SerdeConfig;
import io.emeth.testkit.KafkaTestCluster;
import io.emeth.worker.events.TrainingEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The aggregator's reader of a job's training events, on a real broker: a re-planned attempt that
 * starts at epoch 2 finds epoch 1's round of the earlier attempt for its hash chain, although that
 * round is older than what the reader reads at first, and takes only the round its chain was built
 * on: neither a forged signature nor another key's validly signed round.
 */
class ShardCollectorIT {
    private static final String JOB = "0x00112233445566778899aabbccddeeff";
    private static final NodeIdentity WORKER = NodeIdentity.generate();
    private static final NodeIdentity IMPOSTOR = NodeIdentity.generate();
    private static final NodeIdentity OTHER = NodeIdentity.generate();

    private final KafkaTestCluster kafka = KafkaTestCluster.shared();

    @Test
    void shouldFindTheRoundOfAnEarlierAttemptForAReplannedAttemptsHashChain() throws Exception {
        // Given epoch 1 aggregated in attempt 1 an hour ago (a forged copy and another key's own
        // round beside it), and epoch 2 aggregated in attempt 2 now, chained to epoch 1
        String prefix = KafkaTestCluster.uniqueName("ShardCollectorIT") + ".";
        Topics topics = Topics.create(SerdeConfig.of("mock://" + prefix), prefix);
        Topic<String, TrainingEvent> topic = topics.trainingEvents();
        kafka.createTopics(1, topic.name());
        Instant now = Instant.now();
        Instant hourAgo = now.minus(Duration.ofHours(1));
        TrainingEvent epoch1 = round(WORKER, 1, 1, "11", hourAgo);
        TrainingEvent forged = round(IMPOSTOR, 1, 1, "66", hourAgo);
        TrainingEvent other = round(OTHER, 1, 1, "77", hourAgo);
        String link2 =
                HexFormat.of()
                        .formatHex(
                                ChainLink.compute(
                                        HexFormat.of().parseHex("11".repeat(32)),
                                        2,
                                        "ab".repeat(32),
                                        List.of(),
                                        null));
        TrainingEvent epoch2 = round(WORKER, 2, 2, link2.substring(0, 2), now);
        ((RoundAggregated) epoch2.getPayload()).setHashChainLink(link2);
        epoch2 = resign(epoch2);
        try (KafkaProducer<String, TrainingEvent> producer =
                new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                        new StringSerializer(),
                        topic.valueSerde().serializer())) {
            for (TrainingEvent event : List.of(other, forged, epoch1, epoch2)) {
                producer.send(
                                new ProducerRecord<>(
                                        topic.name(),
                                        null,
                                        event.getAt().toEpochMilli(),
                                        JOB,
                                        event))
                        .get();
            }
        }

        // When attempt 2's aggregator reads from its assignment (now) on
        try (ShardCollector collector =
                new ShardCollector(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                        topic,
                        JOB,
                        2,
                        now.toEpochMilli())) {
            collector.poll(Duration.ofSeconds(5));

            // Then its aggregator's round is there (not for another aggregator), epoch 1 is not
            // among this attempt's rounds, and the hash chain's epoch 1 is the round epoch 2's
            // link was built on
            assertThat(link(collector.round(2, WORKER.address()))).isEqualTo(link2);
            assertThat(collector.round(2, OTHER.address())).isNull();
            assertThat(collector.round(1, WORKER.address())).isNull();
            TrainingEvent linked =
                    collector.roundLinkedTo(
                            1, new ChainLink(2, link2, "ab".repeat(32), List.of(), null));
            assertThat(linked).isNotNull();
            assertThat(linked.getAttempt()).isEqualTo(1);
            assertThat(link(linked)).isEqualTo("11".repeat(32));
            assertThat(
                            collector.roundLinkedTo(
                                    1,
                                    new ChainLink(
                                            2, "22".repeat(32), "ab".repeat(32), List.of(), null)))
                    .isNull();
        }
    }

    private static TrainingEvent round(
            NodeIdentity worker, int attempt, int epoch, String linkByte, Instant at) {
        TrainingEvents events =
                new TrainingEvents(worker, Clock.fixed(at, ZoneOffset.UTC), JOB, attempt);
        ModelRef model =
                ModelRef.newBuilder()
                        .setUri(JOB + "-global-" + epoch + ".emwt")
                        .setSha256("ab".repeat(32))
                        .setSizeBytes(1234)
                        .build();
        TrainingEvent event =
                events.roundAggregated(
                        epoch,
                        model,
                        2.0,
                        linkByte.repeat(32),
                        List.of(worker.address()),
                        List.of());
        if (worker == IMPOSTOR) {
            // claims to be the real worker, signed by another key
            event.setWorker(WORKER.address());
        }
        return event;
    }

    /** The event signed again by its worker after a change. */
    private static TrainingEvent resign(TrainingEvent event) {
        RoundAggregated r = (RoundAggregated) event.getPayload();
        return new TrainingEvents(
                        WORKER, Clock.fixed(event.getAt(), ZoneOffset.UTC), JOB, event.getAttempt())
                .roundAggregated(
                        r.getEpoch(),
                        r.getGlobalModel(),
                        r.getValidationLoss(),
                        r.getHashChainLink(),
                        r.getContributors(),
                        r.getRejectedShards());
    }

    private static String link(TrainingEvent event) {
        return ((RoundAggregated) event.getPayload()).getHashChainLink();
    }
}
