package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.CheckpointWatcher;
import io.emeth.chain.it.ChildJvm;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.IndexerMain;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.testkit.KafkaTestCluster;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.DefaultBlockParameter;

/**
 * The indexer as a separate process, SIGKILLed three times during a backfill of 2,000 requests: the
 * topic still holds every request exactly once, in block order.
 */
class IndexerCrashIT {
    private static final Logger log = LoggerFactory.getLogger(IndexerCrashIT.class);
    private static final int JOBS = 2_000;
    private static final int KILLS = 3;

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
    void shouldEmitEveryRequestExactlyOnceInBlockOrderWhenKilledThreeTimesDuringBackfill()
            throws Exception {
        // Given 2,000 requests on chain, four per block
        long firstBlock = chain.blockNumber() + 1;
        List<Job> jobs = IntStream.range(0, JOBS).mapToObj(i -> Job.random("corpus-" + i)).toList();
        chain.requestAll(jobs, 4);
        long lastBlock = chain.blockNumber();
        chain.mine(2); // buries the last requests under the two confirmations
        Topics topics = KafkaFixture.topics("crash");
        var config =
                Configs.indexer(
                        chain,
                        topics,
                        2,
                        20,
                        firstBlock,
                        KafkaTestCluster.uniqueName("crash-indexer"));

        // When the indexer is SIGKILLed three times while it backfills
        CheckpointWatcher checkpoints = new CheckpointWatcher(topics.indexerCheckpoints());
        long resumedAt = firstBlock - 1;
        for (int kill = 1; kill <= KILLS; kill++) {
            long killAt = resumedAt + (lastBlock - firstBlock) / 8;
            try (ChildJvm indexer =
                    ChildJvm.start(
                            IndexerMain.class, IndexerMain.toProperties(config), "crash-indexer")) {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> checkpoints.block() >= killAt);
                indexer.kill();
            }
            resumedAt = checkpoints.block();
            log.info(
                    "Killed the indexer [kill:{}, checkpointBlock:{}, lastBlock:{}]",
                    kill,
                    resumedAt,
                    lastBlock);
            assertThat(resumedAt).as("killed during the backfill").isLessThan(lastBlock);
        }
        try (ChildJvm indexer =
                ChildJvm.start(
                        IndexerMain.class, IndexerMain.toProperties(config), "crash-indexer")) {
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> checkpoints.block() >= lastBlock);
        }
        checkpoints.close();

        // Then the topic holds exactly the 2,000 JobRequested events, once each, in block order
        List<ConsumerRecord<String, ChainJobEvent>> records =
                KafkaFixture.readAll(topics.chainJobEvents());
        assertThat(records)
                .allSatisfy(
                        r -> assertThat(r.value().getPayload()).isInstanceOf(JobRequested.class));
        Map<String, Long> perJob =
                records.stream()
                        .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertThat(perJob.keySet())
                .containsExactlyInAnyOrderElementsOf(jobs.stream().map(Job::jobId).toList());
        assertThat(perJob.values()).containsOnly(1L);
        records.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::partition))
                .forEach(
                        (partition, inPartition) ->
                                assertThat(inPartition)
                                        .extracting(r -> r.value().getPosition().getBlockNumber())
                                        .isSortedAccordingTo(Comparator.naturalOrder()));
        assertThat(records)
                .allSatisfy(
                        r -> {
                            JobRequested requested = (JobRequested) r.value().getPayload();
                            assertThat(r.value().getJobId()).isEqualTo(r.key());
                            assertThat(requested.getOwner())
                                    .isEqualTo(
                                            Keys.toChecksumAddress(chain.requester.getAddress()));
                            assertThat(requested.getFee().toBigInteger())
                                    .isEqualTo(ChainFixture.FEE);
                            assertThat(requested.getParam()).isEqualTo(ChainFixture.PARAM);
                        });
        // and each carries its own job's data set and its block's time (read in batches)
        Map<String, String> datasets =
                jobs.stream().collect(Collectors.toMap(Job::jobId, Job::dataset));
        Map<Long, Instant> blockTimes = new HashMap<>();
        for (ConsumerRecord<String, ChainJobEvent> r : records) {
            JobRequested requested = (JobRequested) r.value().getPayload();
            long block = r.value().getPosition().getBlockNumber();
            if (!blockTimes.containsKey(block)) {
                blockTimes.put(block, blockTime(block));
            }
            assertThat(requested.getDataset()).isEqualTo(datasets.get(r.key()));
            assertThat(requested.getRequestedAt()).as(r.key()).isEqualTo(blockTimes.get(block));
        }
    }

    private static Instant blockTime(long block) throws Exception {
        return Instant.ofEpochSecond(
                chain.web3j
                        .ethGetBlockByNumber(
                                DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), false)
                        .send()
                        .getBlock()
                        .getTimestamp()
                        .longValueExact());
    }
}
