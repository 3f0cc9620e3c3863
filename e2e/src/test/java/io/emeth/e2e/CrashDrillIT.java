package io.emeth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.deploy.demo.DemoCorpus;
import io.emeth.deploy.demo.DemoRequester;
import io.emeth.deploy.demo.DevVerifier;
import io.emeth.e2e.support.ChainScan;
import io.emeth.e2e.support.DrillNode;
import io.emeth.e2e.support.DrillReport;
import io.emeth.e2e.support.JobTrail;
import io.emeth.e2e.support.NodeProcess;
import io.emeth.e2e.support.SinkTables;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.TxSent;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.Transaction;

/**
 * The crash drill (issue #7): during one real job, on a whole node whose every process runs in a
 * JVM of its own, the indexer, the chain gateway, the master and one worker are each SIGKILLed once
 * at a different phase of the job and started again. The job must still end VERIFIED, with exactly
 * one {@code process} and one {@code submit} transaction for it on chain, and the admin-rpc
 * database must hold it once, without a duplicate row.
 *
 * <p>The phases are driven by what the node writes to its topics, never by sleeping; the chain is
 * held still (mining paused) while the gateway has a {@code process} transaction in flight, so that
 * it dies between sending it and recording its receipt.
 */
class CrashDrillIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
    private static final int EPOCHS = 2;

    @RegisterExtension final DrillReport report = new DrillReport();

    private DrillNode node;

    @AfterEach
    void stopTheNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void shouldVerifyTheJobWithOneProcessAndOneSubmitWhenEachComponentIsKilledOnce()
            throws Exception {
        // Given a node: admin-rpc, indexer, gateway, master and two workers, each its own JVM
        node = DrillNode.start("CrashDrillIT");
        report.watch(node::processes);
        report.note("node up, both workers IDLE");

        // When the requester asks for a 2-epoch job on the bundled corpus, and the indexer is
        // killed as soon as the request is mined, before the master could match it
        Web3j web3j = node.chain.web3j;
        byte[] corpus = DemoCorpus.english();
        String jobId =
                new DemoRequester(
                                web3j,
                                node.chain.deployment,
                                DevAccounts.requester(),
                                URI.create(node.storage.url()))
                        .request(
                                new DemoRequester.JobRequest(
                                        "crash-drill-corpus",
                                        corpus,
                                        EmethRules.emt(20),
                                        EPOCHS,
                                        "en",
                                        DevChain.latestTimestamp(web3j) + 86_400));
        JobTrail job = new JobTrail(node.recorder, node.topics, jobId);
        killIndexerBeforeMatching(job);

        // and the gateway is killed after it sent `process`, before it saw the receipt
        String processTx = killGatewayBetweenSendAndReceipt(job);

        // and the master is killed during epoch 1, and the job's aggregator during epoch 2
        killMasterDuringEpoch(job, 1);
        killAggregatorDuringEpoch(job, 2);

        // Then the node submits a result, which the verifier verifies
        DevVerifier verifier =
                new DevVerifier(web3j, node.chain.deployment, DevAccounts.verifier());
        node.await("job " + jobId + " SUBMITTED on chain, then verified")
                .atMost(JOB_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () ->
                                verifier.verifyIfSubmitted(
                                        jobId, corpus.length, EmethRules.GPT_COMPLEXITY));
        report.note("job VERIFIED on chain");
        assertThat(verifier.status(jobId)).isEqualTo(JobStatus.VERIFIED);
        assertThat(node.dead()).as("node processes that died on their own").isEmpty();

        // And the chain holds one process and one submit for the job, with the uploaded result
        thenTheChainHoldsOneProcessAndOneSubmit(job, processTx);

        // And the indexer emitted each of the job's chain events once, in order
        node.await("the VERIFIED status of " + jobId + " indexed")
                .until(() -> job.chainEvents().contains("VERIFIED"));
        assertThat(job.chainEvents())
                .as("chain-job-events of %s", jobId)
                .containsExactly("REQUESTED", "PROCESSING", "SUBMITTED", "VERIFIED");

        // And the admin-rpc database holds the job once, VERIFIED, without a duplicate row
        try (SinkTables db = SinkTables.open(node.sqlitePath)) {
            thenTheSinkHoldsTheJobAndItsContributionsOnce(db, job);
            thenTheSinkLoggedEachTrainingEventOnce(db, job);
        }
    }

    /** SIGKILLs the indexer right after the request's receipt, then starts it again. */
    private void killIndexerBeforeMatching(JobTrail job) {
        assertThat(job.processCommanded())
                .as("the master matched the job before the indexer was killed")
                .isFalse();
        node.indexer().kill();
        report.note(
                "indexer killed, request mined, "
                        + (job.requested() ? "already indexed" : "not indexed yet"));
        node.indexer().restart();
    }

    /**
     * Holds the chain still once the restarted indexer has indexed the request, mines only the
     * gateway's ERC-20 approve, and SIGKILLs the gateway once its {@code process} transaction is in
     * anvil's pool but not mined; then lets the chain go on and starts the gateway again. Answers
     * the hash of that transaction.
     */
    private String killGatewayBetweenSendAndReceipt(JobTrail job) throws Exception {
        node.await("the restarted indexer indexing the request of " + job.jobId())
                .until(job::requested);
        node.miner.pause();
        report.note("request indexed, mining paused");
        AtomicReference<String> processTx = new AtomicReference<>();
        node.await("the gateway sending process(" + job.jobId() + ")")
                .until(
                        () -> {
                            for (ChainTxResult r : job.txResults()) {
                                if (!(r.getPayload() instanceof TxSent sent)
                                        || !inPool(sent.getTxHash())) {
                                    continue; // TxSent is written ahead of the send
                                }
                                if (r.getAction() == ChainAction.PROCESS_JOB) {
                                    processTx.set(sent.getTxHash());
                                    return true;
                                }
                                if (r.getAction() == ChainAction.APPROVE) {
                                    node.miner.mineOne(); // the deposit's approve goes first
                                }
                            }
                            return false;
                        });
        assertThat(job.confirmed(ChainAction.PROCESS_JOB))
                .as("a receipt recorded for process(%s) while the chain stood still", job.jobId())
                .isFalse();
        node.gateway().kill();
        report.note("gateway killed, process tx " + processTx.get() + " pending");
        node.miner.resume();
        node.gateway().restart();
        return processTx.get();
    }

    /** SIGKILLs the master once it opened round {@code epoch}, then starts it again. */
    private void killMasterDuringEpoch(JobTrail job, int epoch) {
        node.await("round " + epoch + " of " + job.jobId() + " opened")
                .atMost(JOB_TIMEOUT)
                .until(() -> job.roundOpened(epoch));
        assertThat(job.roundOpened(epoch + 1)).isFalse();
        node.master().kill();
        report.note(
                "master killed in epoch "
                        + epoch
                        + ", "
                        + job.shardsTrained(epoch)
                        + " shards trained");
        node.master().restart();
    }

    /** SIGKILLs the job's aggregator (rank 0) once round {@code epoch} opened, then starts it. */
    private void killAggregatorDuringEpoch(JobTrail job, int epoch) {
        node.await("round " + epoch + " of " + job.jobId() + " opened")
                .atMost(JOB_TIMEOUT)
                .until(() -> job.roundOpened(epoch));
        NodeProcess aggregator = node.worker(node.workerNumber(job.aggregator()));
        aggregator.kill();
        report.note(
                aggregator.name()
                        + " (aggregator) killed in epoch "
                        + epoch
                        + ", "
                        + job.shardsTrained(epoch)
                        + " shards trained");
        aggregator.restart();
    }

    private void thenTheChainHoldsOneProcessAndOneSubmit(JobTrail job, String processTx)
            throws Exception {
        EmethCore core = node.chain.core(DevAccounts.master());
        byte[] id = JobIds.toBytes(job.jobId());
        String processCall = core.process(id).encodeFunctionCall();
        // selector and job id: the result string that follows may be anything
        String submitPrefix = core.submit(id, "").encodeFunctionCall().substring(0, 2 + 8 + 64);
        List<Transaction> calls = ChainScan.callsTo(node.chain.web3j, core.getContractAddress());
        List<Transaction> processes = ChainScan.withInputPrefix(calls, processCall);
        List<Transaction> submits = ChainScan.withInputPrefix(calls, submitPrefix);
        report.note("chain: " + processes.size() + " process, " + submits.size() + " submit");
        assertThat(processes)
                .as("process(%s) transactions on chain", job.jobId())
                .extracting(Transaction::getHash)
                .containsExactly(processTx);
        assertThat(submits).as("submit(%s) transactions on chain", job.jobId()).hasSize(1);
        assertThat(core.jobDetails(id).send().component4())
                .as("the result submitted for %s", job.jobId())
                .isIn(job.resultFileNames());
    }

    private void thenTheSinkHoldsTheJobAndItsContributionsOnce(SinkTables db, JobTrail job)
            throws Exception {
        String key = JobIds.normalize(job.jobId());
        node.await("the sink recording " + key + " VERIFIED with both contributions")
                .until(
                        () ->
                                db.number(
                                                        "SELECT COUNT(*) FROM jobs"
                                                                + " WHERE job_id = ? AND status = ?",
                                                        key,
                                                        JobStatus.VERIFIED.code())
                                                == 1
                                        && db.number(
                                                        "SELECT COUNT(*) FROM contributions"
                                                                + " WHERE job_id = ? AND status = 1",
                                                        key)
                                                >= 2);
        assertThat(db.rows("SELECT num_attempt FROM jobs WHERE job_id = ?", key))
                .as("jobs rows of %s", key)
                .containsExactly(List.of(1));
        assertThat(
                        db.rows(
                                "SELECT lower(worker_address), num_attempt, status"
                                        + " FROM contributions WHERE job_id = ?",
                                key))
                .as("contributions of %s: each worker once, in attempt 1, VERIFIED", key)
                .containsExactlyInAnyOrder(
                        List.of(lower(DrillNode.workerAddress(1)), 1, 1),
                        List.of(lower(DrillNode.workerAddress(2)), 1, 1));
        assertThat(db.number("SELECT COUNT(*) FROM job_losses WHERE job_id = ?", key))
                .as("validation losses of %s, one per epoch", key)
                .isEqualTo(EPOCHS);
    }

    /** training_log is append-only: only the sink's offsets keep a replayed event out of it. */
    private void thenTheSinkLoggedEachTrainingEventOnce(SinkTables db, JobTrail job)
            throws Exception {
        String key = JobIds.normalize(job.jobId());
        int events = job.trainingEvents().size();
        String count = "SELECT COUNT(*) FROM training_log WHERE job_id = ?";
        node.await("the sink logging the " + events + " training events of " + key)
                .until(() -> db.number(count, key) >= events);
        assertThat(
                        db.rows(
                                "SELECT worker_address, kind, epoch, at, COUNT(*) FROM"
                                        + " training_log WHERE job_id = ? GROUP BY"
                                        + " worker_address, kind, epoch, at HAVING COUNT(*) > 1",
                                key))
                .as("training_log rows of %s written twice", key)
                .isEmpty();
        assertThat(db.number(count, key))
                .as("training_log rows of %s against its training events", key)
                .isEqualTo(events);
    }

    private boolean inPool(String txHash) throws Exception {
        return node.chain.web3j.ethGetTransactionByHash(txHash).send().getTransaction().isPresent();
    }

    private static String lower(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
