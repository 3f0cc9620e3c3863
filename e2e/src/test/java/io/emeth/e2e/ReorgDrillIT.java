package io.emeth.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.ChainFixture.ReorgTx;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.e2e.support.ChainCalls;
import io.emeth.e2e.support.NodeStack;
import io.emeth.e2e.support.TopicReads;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reorg drill (issue #7): a whole node on anvil with four confirmations. Two requests are mined
 * and seen at the head by the indexer; then {@code anvil_reorg} replaces their blocks: the first
 * request's nonce goes to a transaction that does nothing, so it is gone for good, and the second
 * request's very transaction comes back two blocks later. The first is never matched, the second is
 * processed exactly once, and no alert is raised: a reorg inside the confirmation window is
 * invisible downstream.
 */
class ReorgDrillIT {
    private static final Logger log = LoggerFactory.getLogger(ReorgDrillIT.class);
    private static final int CONFIRMATIONS = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @Test
    void shouldNeverMatchARequestReorgedOutAndProcessOnceOneReorgedToALaterBlock()
            throws Exception {
        // Given a node with four confirmations and a block a second, and two simulated workers of
        // 40 (together they take a 1 MB job with a day's deadline)
        try (NodeStack node =
                NodeStack.start(
                        "ReorgDrillIT",
                        NodeStack.Options.defaults().withConfirmations(CONFIRMATIONS))) {
            node.simulateWorkers(2, 40);
            waitFor("the simulated workers registered")
                    .until(() -> TopicReads.idleWorkers(node) == 2);
            ChainFixture chain = node.chain();
            Job dropped = Job.random("reorg-dropped.txt");
            Job moved = Job.random("reorg-moved.txt");
            node.requester().upload(dropped.dataset(), dropped.jobId(), new byte[8_192]);
            node.requester().upload(moved.dataset(), moved.jobId(), new byte[8_192]);

            // When, with the chain mining only on the test's word, the first request is mined in
            // block b, the second in b + 1, and an empty block b + 2 goes on top
            node.pauseMining();
            long nonce = chain.nonce(chain.requester.getAddress());
            String droppedTx = chain.signedRequest(dropped, nonce);
            String movedTx = chain.signedRequest(moved, nonce + 1);
            String droppedHash = chain.sendRaw(List.of(droppedTx)).get(0);
            chain.mine(1);
            long droppedBlock = chain.blockNumber();
            String movedHash = chain.sendRaw(List.of(movedTx)).get(0);
            chain.mine(2);
            long head = chain.blockNumber();
            assertThat(head).isEqualTo(droppedBlock + 2);
            assertThat(receiptBlock(chain, movedHash)).isEqualTo(droppedBlock + 1);

            // And the indexer has seen that head, which leaves both inside its window
            waitFor("the indexer at the head")
                    .until(
                            () ->
                                    node.meters().get("emeth.indexer.head.block").gauge().value()
                                            >= head);
            assertThat(TopicReads.chainEvents(node, dropped.jobId())).isEmpty();
            assertThat(TopicReads.chainEvents(node, moved.jobId())).isEmpty();

            // And a reorg replaces blocks b to b + 2: a no-op takes the first request's nonce in
            // block b, the second request's own transaction lands in block b + 2
            chain.reorgPlacing(
                    3, List.of(new ReorgTx(chain.signedNoOp(nonce), 0), new ReorgTx(movedTx, 2)));
            log.info(
                    "Reorged [droppedJob:{}, movedJob:{}, fromBlock:{}, movedTo:{}]",
                    dropped.jobId(),
                    moved.jobId(),
                    droppedBlock,
                    head);
            node.resumeMining();

            // Then the moved request is indexed once, at its new block, with its own transaction
            waitFor("the moved request indexed")
                    .until(() -> !TopicReads.chainEvents(node, moved.jobId()).isEmpty());
            List<ChainJobEvent> movedEvents = TopicReads.chainEvents(node, moved.jobId());
            assertThat(movedEvents).hasSize(1);
            assertThat(movedEvents.get(0).getPayload()).isInstanceOf(JobRequested.class);
            assertThat(movedEvents.get(0).getPosition().getBlockNumber()).isEqualTo(head);
            assertThat(movedEvents.get(0).getPosition().getTxHash()).isEqualTo(movedHash);

            // And the master matches and processes it, and its workers' result is submitted
            waitFor("the moved job SUBMITTED in the master's view")
                    .until(() -> TopicReads.jobState(node, moved.jobId()) == JobState.SUBMITTED);

            // And it was processed exactly once: one ProcessJob command, one process transaction
            assertThat(TopicReads.processCommands(node, moved.jobId())).hasSize(1);
            List<ChainCalls.Call> movedProcess =
                    ChainCalls.of(chain, "process(bytes16)", moved.jobId());
            assertThat(movedProcess).hasSize(1);
            assertThat(movedProcess.get(0).succeeded()).isTrue();
            assertThat(movedProcess.get(0).from()).isEqualToIgnoringCase(node.pool());
            assertThat(TopicReads.trainingAssigned(node, moved.jobId()))
                    .extracting(WorkerAssignment::getAttempt)
                    .containsOnly(1);

            // And the dropped request is not on chain at all, and nothing of it reached the node
            assertThat(chain.web3j.ethGetTransactionReceipt(droppedHash).send().getResult())
                    .isNull();
            assertThat(chain.reader().job(dropped.jobId()).exists()).isFalse();
            assertThat(TopicReads.chainEvents(node, dropped.jobId())).isEmpty();
            assertThat(TopicReads.job(node, dropped.jobId())).isNull();
            assertThat(TopicReads.trainingAssigned(node, dropped.jobId())).isEmpty();
            assertThat(TopicReads.processCommands(node, dropped.jobId())).isEmpty();
            assertThat(ChainCalls.of(chain, "process(bytes16)", dropped.jobId())).isEmpty();

            // And no alert: the reorg stayed inside the confirmation window, yet the indexer saw it
            assertThat(KafkaFixture.readAll(node.topics().chainAlerts())).isEmpty();
            assertThat(
                            node.meters()
                                    .get("emeth.indexer.reorgs")
                                    .tag("kind", "shallow")
                                    .counter()
                                    .count())
                    .isGreaterThanOrEqualTo(1);
            assertThat(node.stoppedParts()).isEmpty();
        }
    }

    private static ConditionFactory waitFor(String what) {
        return await(what).atMost(PATIENCE).pollInterval(Duration.ofMillis(500));
    }

    private static long receiptBlock(ChainFixture chain, String txHash) throws Exception {
        return chain.web3j
                .ethGetTransactionReceipt(txHash)
                .send()
                .getTransactionReceipt()
                .orElseThrow()
                .getBlockNumber()
                .longValueExact();
    }
}
