package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.ChainReorgDetected;
import io.emeth.schemas.avro.chain.JobEventsRewound;
import io.emeth.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reorgs made with {@code anvil_reorg} while the indexer follows the head: inside the confirmation
 * window they stay invisible downstream; deeper ones are reported, the jobs whose events they
 * dropped get {@code JobEventsRewound}, and the new branch is indexed.
 */
class IndexerReorgIT {
    private static ChainFixture chain;

    @BeforeAll
    static void startChain() throws Exception {
        chain = ChainFixture.start();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void shouldNeverEmitALogReorgedOutInsideTheConfirmationWindow() throws Exception {
        // Given an indexer following the head with five confirmations
        Topics topics = KafkaFixture.topics("reorg-window");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        var config =
                Configs.indexer(
                        chain,
                        topics,
                        5,
                        100,
                        chain.blockNumber() + 1,
                        KafkaTestCluster.uniqueName("reorg-window"));
        try (Indexer indexer = Indexer.start(config, meters)) {
            // When a request is mined and seen by the indexer, then reorged out for another one
            Job replaced = Job.random("replaced");
            Job replacement = Job.random("replacement");
            long nonce = chain.nonce(chain.requester.getAddress());
            chain.request(replaced);
            long block = chain.blockNumber();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> meters.get("emeth.indexer.head.block").gauge().value() >= block);
            chain.reorg(1, List.of(chain.signedRequest(replacement, nonce)));
            chain.mine(6);

            // Then the replacement reaches Kafka, the replaced log never does, and no alert is
            // raised
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> jobIds(topics).contains(replacement.jobId()));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> indexer.confirmedBlock() >= block + 1);
            assertThat(jobIds(topics)).containsExactly(replacement.jobId());
            assertThat(KafkaFixture.readAll(topics.chainAlerts())).isEmpty();
            assertThat(meters.get("emeth.indexer.reorgs").tag("kind", "shallow").counter().count())
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void shouldReportAReorgDeeperThanTheWindowAndReindexFromTheForkPoint() throws Exception {
        // Given an indexer with one confirmation that has emitted a request
        Topics topics = KafkaFixture.topics("reorg-deep");
        var config =
                Configs.indexer(
                        chain,
                        topics,
                        1,
                        100,
                        chain.blockNumber() + 1,
                        KafkaTestCluster.uniqueName("reorg-deep"));
        try (Indexer indexer = Indexer.start(config, new SimpleMeterRegistry())) {
            chain.mine(2);
            long before = chain.blockNumber();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> indexer.confirmedBlock() >= before - 1);
            Job first = Job.random("first");
            Job second = Job.random("second");
            long nonce = chain.nonce(chain.requester.getAddress());
            chain.request(first);
            long forkBlock = chain.blockNumber();
            chain.mine(1);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> jobIds(topics).contains(first.jobId()));

            // When a reorg replaces the block of the emitted request (and the one above it)
            chain.reorg(2, List.of(chain.signedRequest(second, nonce)));
            chain.mine(2);

            // Then the reorg is reported with its fork point, the first request is declared
            // void from there, and the new request is indexed
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> jobIds(topics).contains(second.jobId()));
            List<ConsumerRecord<String, ChainAlert>> alerts =
                    KafkaFixture.readAll(topics.chainAlerts());
            assertThat(alerts).hasSize(1);
            ChainReorgDetected reorg = (ChainReorgDetected) alerts.get(0).value().getPayload();
            List<ChainJobEvent> events = events(topics);
            assertThat(events)
                    .extracting(ChainJobEvent::getJobId)
                    .containsExactlyInAnyOrder(first.jobId(), first.jobId(), second.jobId());
            assertThat(events)
                    .filteredOn(e -> e.getPayload() instanceof JobEventsRewound)
                    .singleElement()
                    .satisfies(e -> assertThat(e.getJobId()).isEqualTo(first.jobId()))
                    .satisfies(
                            e ->
                                    assertThat(((JobEventsRewound) e.getPayload()).getFromBlock())
                                            .isEqualTo(forkBlock));
            ChainJobEvent firstEvent = event(events, first);
            ChainJobEvent secondEvent = event(events, second);
            assertThat(reorg.getForkBlockNumber()).isEqualTo(forkBlock);
            assertThat(reorg.getDepth()).isGreaterThanOrEqualTo(1);
            assertThat(reorg.getOldHash()).isEqualTo(firstEvent.getPosition().getBlockHash());
            assertThat(reorg.getNewHash()).isEqualTo(secondEvent.getPosition().getBlockHash());
            assertThat(secondEvent.getPosition().getBlockNumber()).isEqualTo(forkBlock);
        }
    }

    private static List<ChainJobEvent> events(Topics topics) {
        return KafkaFixture.readAll(topics.chainJobEvents()).stream()
                .map(ConsumerRecord::value)
                .toList();
    }

    private static ChainJobEvent event(List<ChainJobEvent> events, Job job) {
        return events.stream()
                .filter(e -> e.getJobId().equals(job.jobId()))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> jobIds(Topics topics) {
        return KafkaFixture.readAll(topics.chainJobEvents()).stream()
                .map(ConsumerRecord::key)
                .toList();
    }
}
