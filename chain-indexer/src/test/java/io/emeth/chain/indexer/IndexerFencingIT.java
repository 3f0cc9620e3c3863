package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.schemas.Topics;
import io.emeth.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two indexers with one identity: the second fences the first and nothing is written twice. */
class IndexerFencingIT {
    private static final int JOBS = 300;

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
    void shouldFenceTheFirstIndexerWhenASecondStartsWithTheSameIdentity() throws Exception {
        // Given 300 requests, one per block, and an indexer backfilling them five blocks at a time
        long firstBlock = chain.blockNumber() + 1;
        List<Job> jobs = IntStream.range(0, JOBS).mapToObj(i -> Job.random("fence-" + i)).toList();
        chain.requestAll(jobs);
        Topics topics = KafkaFixture.topics("fencing");
        var config =
                Configs.indexer(
                        chain, topics, 0, 5, firstBlock, KafkaTestCluster.uniqueName("fencing"));
        try (Indexer first = Indexer.start(config, new SimpleMeterRegistry())) {
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> first.confirmedBlock() >= firstBlock + 20);

            // When a second indexer starts with the same identity and more requests arrive
            try (Indexer second = Indexer.start(config, new SimpleMeterRegistry())) {
                List<Job> more =
                        IntStream.range(0, 5).mapToObj(i -> Job.random("more-" + i)).toList();
                chain.requestAll(more);
                long last = chain.blockNumber();

                // Then the first is fenced and stops, and the second indexes everything once
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> first.state() == Indexer.State.FENCED);
                assertThat(first.awaitStopped(Duration.ofSeconds(30))).isTrue();
                // (300 blocks five at a time: minutes when the 2-core machine is loaded)
                await().atMost(Duration.ofMinutes(4)).until(() -> second.confirmedBlock() >= last);
                assertThat(second.state()).isEqualTo(Indexer.State.RUNNING);
                Map<String, Long> perJob =
                        KafkaFixture.readAll(topics.chainJobEvents()).stream()
                                .collect(
                                        Collectors.groupingBy(
                                                ConsumerRecord::key, Collectors.counting()));
                assertThat(perJob).hasSize(JOBS + more.size());
                assertThat(perJob.values()).containsOnly(1L);
            }
        }
    }
}
