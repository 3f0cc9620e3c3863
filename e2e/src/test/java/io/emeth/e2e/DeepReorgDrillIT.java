package io.emeth.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.ChainFixture.ReorgTx;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.e2e.support.ChainCalls;
import io.emeth.e2e.support.NodeStack;
import io.emeth.e2e.support.TopicReads;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainReorgDetected;
import io.emeth.schemas.avro.chain.JobEventsRewound;
import io.emeth.schemas.avro.view.JobState;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * The deep reorg drill (issue #12): a whole node on anvil. Another node takes a job on chain and
 * the master marks it TAKEN; then {@code anvil_reorg} replaces the block of that {@code process}
 * below the confirmation window (the other node's nonce spent on a transaction that does nothing).
 * The indexer reports the reorg and voids the job's PROCESSING ({@code JobEventsRewound}); the
 * master puts the job back to REQUESTED, and once workers join it matches it, takes it on chain and
 * submits it.
 */
class DeepReorgDrillIT {
    private static final Logger log = LoggerFactory.getLogger(DeepReorgDrillIT.class);
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @Test
    void shouldTakeAJobWhoseTakingByAnotherNodeWasReorgedOut() throws Exception {
        // Given a node with two confirmations and no workers yet, and a request
        try (NodeStack node = NodeStack.start("DeepReorgDrillIT", NodeStack.Options.defaults())) {
            ChainFixture chain = node.chain();
            Credentials other = DevAccounts.worker(0);
            DevChain.token(chain.web3j, chain.deployment, other)
                    .approve(chain.deployment.coreAddress(), EmethRules.emt(1_000))
                    .send();
            Job job = Job.random("deep-reorg.txt");
            node.requester().upload(job.dataset(), job.jobId(), new byte[8_192]);
            chain.request(job);
            node.resumeMining(); // request() leaves anvil on automine
            waitFor("the job REQUESTED in the master's view")
                    .until(() -> TopicReads.jobState(node, job.jobId()) == JobState.REQUESTED);

            // And another node takes it on chain, which the master sees
            long nonce = chain.nonce(other.getAddress());
            long processBlock =
                    chain.core(other)
                            .process(JobIds.toBytes(job.jobId()))
                            .send()
                            .getBlockNumber()
                            .longValueExact();
            waitFor("the job TAKEN in the master's view")
                    .until(() -> TopicReads.jobState(node, job.jobId()) == JobState.TAKEN);

            // When a reorg replaces the process block and every block above it
            node.pauseMining();
            long head = chain.blockNumber();
            chain.reorgPlacing(
                    (int) (head - processBlock + 1),
                    List.of(new ReorgTx(chain.signedNoOp(other, nonce), 0)));
            log.info(
                    "Reorged [jobId:{}, processBlock:{}, head:{}]",
                    job.jobId(),
                    processBlock,
                    head);
            node.resumeMining();

            // Then the indexer voids the job's PROCESSING and the master reopens the job
            waitFor("the job REQUESTED again")
                    .until(() -> TopicReads.jobState(node, job.jobId()) == JobState.REQUESTED);
            assertThat(TopicReads.chainEvents(node, job.jobId()))
                    .filteredOn(e -> e.getPayload() instanceof JobEventsRewound)
                    .singleElement()
                    .satisfies(
                            e ->
                                    assertThat(((JobEventsRewound) e.getPayload()).getFromBlock())
                                            .isEqualTo(processBlock));
            List<ConsumerRecord<String, ChainAlert>> alerts =
                    KafkaFixture.readAll(node.topics().chainAlerts());
            assertThat(alerts).hasSize(1);
            assertThat(
                            ((ChainReorgDetected) alerts.get(0).value().getPayload())
                                    .getForkBlockNumber())
                    .isEqualTo(processBlock);

            // And once workers join, the master takes it on chain and its result is submitted
            node.simulateWorkers(2, 40);
            waitFor("the job SUBMITTED in the master's view")
                    .until(() -> TopicReads.jobState(node, job.jobId()) == JobState.SUBMITTED);
            List<ChainCalls.Call> process = ChainCalls.of(chain, "process(bytes16)", job.jobId());
            assertThat(process).hasSize(1);
            assertThat(process.get(0).succeeded()).isTrue();
            assertThat(process.get(0).from()).isEqualToIgnoringCase(node.pool());
            assertThat(TopicReads.processCommands(node, job.jobId())).hasSize(1);
            assertThat(node.stoppedParts()).isEmpty();
        }
    }

    private static ConditionFactory waitFor(String what) {
        return await(what).atMost(PATIENCE).pollInterval(Duration.ofMillis(500));
    }
}
