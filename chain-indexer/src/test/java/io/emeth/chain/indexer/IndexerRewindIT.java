package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.ChainFixture.ReorgTx;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.chain.it.LaggingRpcProxy;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.ChainReorgDetected;
import io.emeth.schemas.avro.chain.JobEventsRewound;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * What a consumer of the chain topics sees around reorgs, on anvil: a lagging head is waited out
 * (no alert, no duplicate), a reorg of blocks without logs is found by hash, a job whose emitted
 * events a reorg dropped gets {@code JobEventsRewound}, and a reorg below the whole hash window
 * halts the indexer instead of guessing.
 */
class IndexerRewindIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

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
    void shouldWaitWithoutAlertOrDuplicateWhenTheHeadLagsBehindTheTip() throws Exception {
        // Given an indexer behind a proxy, with one confirmation, that has emitted a request
        Topics topics = KafkaFixture.topics("rewind-lag");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (LaggingRpcProxy proxy = LaggingRpcProxy.start(chain.anvil.rpcUrl());
                Indexer indexer =
                        Indexer.start(
                                indexer(topics, "rewind-lag", 1).withEndpoint(proxy.uri()),
                                meters)) {
            Job first = Job.random("lag-first");
            chain.request(first);
            chain.mine(4);
            long head = chain.blockNumber();
            await().atMost(WAIT).until(() -> indexer.confirmedBlock() >= head - 1);

            // When the backend falls three blocks behind the tip for many polls, then catches up
            proxy.lagTo(indexer.confirmedBlock() - 3);
            await().atMost(WAIT).until(() -> proxy.laggingHeads() >= 20);
            proxy.catchUp();
            Job second = Job.random("lag-second");
            chain.request(second);
            chain.mine(2);

            // Then the next request is indexed, the first one exactly once, and nothing was
            // reported or rewound
            await().atMost(WAIT).until(() -> jobIds(topics).contains(second.jobId()));
            assertThat(jobIds(topics)).containsExactlyInAnyOrder(first.jobId(), second.jobId());
            assertThat(KafkaFixture.readAll(topics.chainAlerts())).isEmpty();
            assertThat(meters.get("emeth.indexer.reorgs").tag("kind", "deep").counter().count())
                    .isZero();
        }
    }

    @Test
    void shouldFindAReorgOfBlocksWithoutLogsByTheirHashes() throws Exception {
        // Given an indexer with one confirmation that confirmed a request and two empty blocks
        Topics topics = KafkaFixture.topics("rewind-nologs");
        try (Indexer indexer =
                Indexer.start(indexer(topics, "rewind-nologs", 1), new SimpleMeterRegistry())) {
            Job job = Job.random("nologs");
            chain.request(job);
            long requestBlock = chain.blockNumber();
            chain.mine(3);
            await().atMost(WAIT).until(() -> indexer.confirmedBlock() >= requestBlock + 2);
            String replacedHash =
                    chain.web3j
                            .ethGetBlockByNumber(block(requestBlock + 2), false)
                            .send()
                            .getBlock()
                            .getHash();

            // When a reorg replaces the two blocks above the confirmed empty one, with no log of
            // the contract in either version
            Credentials other = DevAccounts.worker(1);
            chain.reorgPlacing(
                    2,
                    List.of(
                            new ReorgTx(
                                    chain.signedNoOp(other, chain.nonce(other.getAddress())), 0)));
            chain.mine(2);
            Job next = Job.random("nologs-next");
            chain.request(next);
            chain.mine(2);

            // Then the reorg is reported at the first replaced block, no job is rewound, the
            // request is not repeated, and indexing goes on
            await().atMost(WAIT).until(() -> jobIds(topics).contains(next.jobId()));
            List<ConsumerRecord<String, ChainAlert>> alerts =
                    KafkaFixture.readAll(topics.chainAlerts());
            assertThat(alerts).hasSize(1);
            ChainReorgDetected reorg = (ChainReorgDetected) alerts.get(0).value().getPayload();
            assertThat(reorg.getForkBlockNumber()).isEqualTo(requestBlock + 2);
            assertThat(reorg.getOldHash()).isEqualTo(replacedHash);
            assertThat(reorg.getBeyondWindow()).isFalse();
            assertThat(jobIds(topics)).containsExactlyInAnyOrder(job.jobId(), next.jobId());
        }
    }

    @Test
    void shouldRewindTheProcessingOfAJobWhoseBlockAReorgDropped() throws Exception {
        // Given a request and another node's process of it, both emitted
        Topics topics = KafkaFixture.topics("rewind-processing");
        Credentials other = DevAccounts.worker(0);
        DevChain.token(chain.web3j, chain.deployment, other)
                .approve(chain.deployment.coreAddress(), EmethRules.emt(1_000))
                .send();
        try (Indexer indexer =
                Indexer.start(indexer(topics, "rewind-processing", 1), new SimpleMeterRegistry())) {
            Job job = Job.random("orphaned");
            chain.request(job);
            long requestBlock = chain.blockNumber();
            long nonce = chain.nonce(other.getAddress());
            chain.core(other).process(io.emeth.contracts.JobIds.toBytes(job.jobId())).send();
            long processBlock = chain.blockNumber();
            chain.mine(1);
            await().atMost(WAIT).until(() -> statuses(topics, job).contains(JobStatus.PROCESSING));

            // When a reorg replaces the process block (the node's nonce spent on a no-op)
            chain.reorgPlacing(
                    (int) (chain.blockNumber() - processBlock + 1),
                    List.of(new ReorgTx(chain.signedNoOp(other, nonce), 0)));
            chain.mine(2);

            // Then the job's events from the process block on are declared void, in the same
            // transaction as the alert, and the request (below the fork) stays
            await().atMost(WAIT).until(() -> !KafkaFixture.readAll(topics.chainAlerts()).isEmpty());
            await().atMost(WAIT).until(() -> indexer.confirmedBlock() >= processBlock);
            List<ChainJobEvent> events = events(topics, job);
            assertThat(events).hasSize(3);
            assertThat(events.get(2).getPayload()).isInstanceOf(JobEventsRewound.class);
            assertThat(((JobEventsRewound) events.get(2).getPayload()).getFromBlock())
                    .isEqualTo(processBlock);
            assertThat(events.get(2).getPosition().getBlockNumber()).isEqualTo(processBlock - 1);
            assertThat(events.get(0).getPosition().getBlockNumber()).isEqualTo(requestBlock);
            ChainReorgDetected reorg =
                    (ChainReorgDetected)
                            KafkaFixture.readAll(topics.chainAlerts()).get(0).value().getPayload();
            assertThat(reorg.getForkBlockNumber()).isEqualTo(processBlock);
        }
    }

    @Test
    void shouldRewindAfterARestartFromTheHashWindowInTheCheckpoint() throws Exception {
        // Given an indexer that emitted a request and stopped
        Topics topics = KafkaFixture.topics("rewind-restart");
        IndexerConfig config = indexer(topics, "rewind-restart", 1);
        Job job = Job.random("restart");
        long nonce = chain.nonce(chain.requester.getAddress());
        long requestBlock;
        try (Indexer indexer = Indexer.start(config, new SimpleMeterRegistry())) {
            chain.request(job);
            requestBlock = chain.blockNumber();
            chain.mine(2);
            await().atMost(WAIT).until(() -> indexer.confirmedBlock() >= requestBlock + 1);
        }

        // When, while it is down, a reorg drops the request's block (its nonce spent on a no-op),
        // and the indexer starts again from its checkpoint
        chain.reorgPlacing(
                (int) (chain.blockNumber() - requestBlock + 1),
                List.of(new ReorgTx(chain.signedNoOp(nonce), 0)));
        chain.mine(2);
        try (Indexer indexer = Indexer.start(config, new SimpleMeterRegistry())) {

            // Then it finds the fork point from the stored hashes and voids the request
            await().atMost(WAIT).until(() -> events(topics, job).size() == 2);
            assertThat(events(topics, job).get(1).getPayload())
                    .isEqualTo(JobEventsRewound.newBuilder().setFromBlock(requestBlock).build());
            ChainReorgDetected reorg =
                    (ChainReorgDetected)
                            KafkaFixture.readAll(topics.chainAlerts()).get(0).value().getPayload();
            assertThat(reorg.getForkBlockNumber()).isEqualTo(requestBlock);
        }
    }

    @Test
    void shouldHaltInsteadOfGuessingWhenTheReorgIsDeeperThanTheHashWindow() throws Exception {
        // Given an indexer keeping four block hashes, confirmed eight blocks past a request
        Topics topics = KafkaFixture.topics("rewind-beyond");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Indexer indexer =
                Indexer.start(indexer(topics, "rewind-beyond", 1).withReorgWindow(4), meters)) {
            Job job = Job.random("beyond");
            chain.request(job);
            long requestBlock = chain.blockNumber();
            chain.mine(9);
            await().atMost(WAIT).until(() -> indexer.confirmedBlock() >= requestBlock + 8);
            long tip = indexer.confirmedBlock();

            // When a reorg replaces every block above the request (deeper than the four hashes)
            Credentials other = DevAccounts.worker(1);
            chain.reorgPlacing(
                    (int) (chain.blockNumber() - requestBlock),
                    List.of(
                            new ReorgTx(
                                    chain.signedNoOp(other, chain.nonce(other.getAddress())), 0)));
            Job after = Job.random("beyond-after");
            chain.request(after);
            chain.mine(3);
            long head = chain.blockNumber();

            // Then it is reported as beyond the window, and nothing more is emitted even once the
            // indexer has seen the new head
            await().atMost(WAIT).until(() -> !KafkaFixture.readAll(topics.chainAlerts()).isEmpty());
            await().atMost(WAIT)
                    .until(() -> meters.get("emeth.indexer.head.block").gauge().value() >= head);
            ChainReorgDetected reorg =
                    (ChainReorgDetected)
                            KafkaFixture.readAll(topics.chainAlerts()).get(0).value().getPayload();
            assertThat(reorg.getBeyondWindow()).isTrue();
            assertThat(reorg.getForkBlockNumber()).isEqualTo(tip - 3);
            assertThat(reorg.getDepth()).isEqualTo(4);
            assertThat(jobIds(topics)).containsExactly(job.jobId());
            assertThat(indexer.confirmedBlock()).isEqualTo(tip);
            assertThat(indexer.state()).isEqualTo(Indexer.State.RUNNING);
            assertThat(meters.get("emeth.indexer.halted").gauge().value()).isEqualTo(1);
        }
    }

    private static IndexerConfig indexer(Topics topics, String name, int confirmations)
            throws Exception {
        return Configs.indexer(
                chain,
                topics,
                confirmations,
                100,
                chain.blockNumber() + 1,
                KafkaTestCluster.uniqueName(name));
    }

    private static org.web3j.protocol.core.DefaultBlockParameter block(long n) {
        return org.web3j.protocol.core.DefaultBlockParameter.valueOf(
                java.math.BigInteger.valueOf(n));
    }

    private static List<ChainJobEvent> events(Topics topics, Job job) {
        return KafkaFixture.readAll(topics.chainJobEvents()).stream()
                .map(ConsumerRecord::value)
                .filter(e -> e.getJobId().equals(job.jobId()))
                .toList();
    }

    private static List<JobStatus> statuses(Topics topics, Job job) {
        return events(topics, job).stream()
                .filter(e -> e.getPayload() instanceof JobStatusChanged)
                .map(e -> ((JobStatusChanged) e.getPayload()).getStatus())
                .toList();
    }

    private static List<String> jobIds(Topics topics) {
        return KafkaFixture.readAll(topics.chainJobEvents()).stream()
                .map(ConsumerRecord::key)
                .toList();
    }
}
