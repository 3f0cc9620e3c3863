package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.chain.it.LaggingRpcProxy;
import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.chain.rpc.RpcException;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A backfill over many ranges, each next range read while one commits, through a node whose {@code
 * eth_getLogs} answers fail now and then: an error, an answer that is no list of logs, a "too many
 * results" refusal. Whichever read meets the fault (the step's or one read ahead), every request is
 * published once, in chain order, and the error names the range.
 */
class IndexerBackfillRangesIT {
    /** Blocks, one request each: the first 136 are backfilled (more than 64 below the head). */
    private static final int JOBS = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ChainFixture chain;
    private static LaggingRpcProxy proxy;
    private static long firstBlock;
    private static List<Job> jobs;

    @BeforeAll
    static void startChain() throws Exception {
        chain = ChainFixture.start();
        proxy = LaggingRpcProxy.start(chain.anvil.rpcUrl());
        firstBlock = chain.blockNumber() + 1;
        jobs = IntStream.range(0, JOBS).mapToObj(i -> Job.random("ranges-" + i)).toList();
        chain.requestAll(jobs);
    }

    @AfterAll
    static void stopChain() {
        if (proxy != null) {
            proxy.close();
        }
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void shouldPublishEveryRequestOnceWhenLogReadsFailOnTheWay() throws Exception {
        // Given ranges of at most 8 blocks (the first 1 block), and a node that fails the 2nd and
        // 3rd eth_getLogs with an error, answers the 5th and 6th with an object instead of logs
        // and refuses the 8th and 9th as too many results: each fault twice in a row, so that it
        // meets both a range read ahead and the step's own read of the range
        long last = chain.blockNumber();
        proxy.refuseLogs(2, -32000, "backend exploded");
        proxy.refuseLogs(3, -32000, "backend exploded");
        proxy.garbleLogs(5, JSON.createObjectNode().put("logs", "elsewhere"));
        proxy.garbleLogs(6, JSON.createObjectNode().put("logs", "elsewhere"));
        proxy.refuseLogs(8, -32005, "query returned more than 10000 results");
        proxy.refuseLogs(9, -32005, "query returned more than 10000 results");
        Topics topics = KafkaFixture.topics("ranges");
        IndexerConfig config =
                Configs.indexer(
                                chain,
                                topics,
                                0,
                                8,
                                firstBlock,
                                KafkaTestCluster.uniqueName("ranges"))
                        .withEndpoint(proxy.uri())
                        .withPollInterval(Duration.ofMillis(200));

        // When the indexer backfills the blocks (then follows the last 64)
        try (Indexer indexer = Indexer.start(config, new SimpleMeterRegistry())) {
            await().atMost(Duration.ofMinutes(3)).until(() -> indexer.confirmedBlock() >= last);
            assertThat(indexer.state()).isEqualTo(Indexer.State.RUNNING);
        }

        // Then every request is on the topic once, and each partition holds them in chain order
        List<ConsumerRecord<String, ChainJobEvent>> records =
                KafkaFixture.readAll(topics.chainJobEvents());
        Map<String, Long> perJob =
                records.stream()
                        .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertThat(perJob.keySet())
                .containsExactlyInAnyOrderElementsOf(jobs.stream().map(Job::jobId).toList());
        assertThat(perJob.values()).containsOnly(1L);
        assertThat(records).allMatch(r -> r.value().getPayload() instanceof JobRequested);
        Map<Integer, List<Long>> blocksByPartition =
                records.stream()
                        .collect(
                                Collectors.groupingBy(
                                        ConsumerRecord::partition,
                                        Collectors.mapping(
                                                r -> r.value().getPosition().getBlockNumber(),
                                                Collectors.toList())));
        blocksByPartition.values().forEach(blocks -> assertThat(blocks).isSorted());
        assertThat(proxy.logsCalls()).isGreaterThan(9);
    }

    @Test
    void shouldNameTheRangeWhenTheLogsAnswerIsNoListOrAnError() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (EthEndpoint endpoint =
                EthEndpoint.connect(proxy.uri(), Duration.ofSeconds(1), Duration.ofSeconds(30))) {
            ChainReader reader = new ChainReader(endpoint, chain.deployment.coreAddress(), pool);

            // When the node answers an object where the logs belong
            proxy.garbleLogs(1, JSON.createObjectNode().put("logs", "elsewhere"));
            // Then the error names the range and says what is wrong
            assertThatThrownBy(() -> reader.logs(firstBlock, firstBlock + 3))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("eth_getLogs " + firstBlock + ".." + (firstBlock + 3))
                    .hasMessageContaining("no list of logs");

            // When it answers a JSON-RPC error
            proxy.refuseLogs(1, -32000, "backend exploded");
            // Then the error names the range and carries the node's message
            assertThatThrownBy(() -> reader.logs(firstBlock, firstBlock + 3))
                    .isInstanceOf(RpcException.class)
                    .hasMessageContaining("eth_getLogs " + firstBlock + ".." + (firstBlock + 3))
                    .hasMessageContaining("backend exploded");

            // And the next answer is whole again: the request of each of the 4 blocks
            assertThat(reader.logs(firstBlock, firstBlock + 3)).hasSize(4);
        } finally {
            pool.shutdownNow();
        }
    }
}
