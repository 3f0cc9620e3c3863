package io.emeth.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.emeth.chain.it.ChainFixture;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.contracts.EmethRules;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.dev.DevChain;
import io.emeth.deploy.demo.DemoCorpus;
import io.emeth.deploy.demo.DemoRequester;
import io.emeth.e2e.support.AdminHttp;
import io.emeth.e2e.support.AdminHttp.Answer;
import io.emeth.e2e.support.ChainCalls;
import io.emeth.e2e.support.HostileInputs;
import io.emeth.e2e.support.NodeStack;
import io.emeth.e2e.support.TopicReads;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainLogRejected;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

/**
 * The bad-input drill (issue #7): a whole node with two real workers trains a good job while it is
 * sent every kind of bad input the architecture names: jobs whose param is not JSON, whose program
 * is unknown, whose data set is missing or under 4 KiB, whose fee is outside the window; a worker
 * registration with a forged signature; a shard of the good job holding NaN; garbage on JSON-RPC.
 * Each gets an error naming the problem where an operator looks for it, the good job still ends
 * VERIFIED, and every part is still running at the end.
 */
class BadInputDrillIT {
    private static final Duration PATIENCE = Duration.ofSeconds(150);
    private static final String PARAM = "{\"language\": \"en\", \"epoch\": 2}";
    private static final String GOOD_DATASET = "good-corpus.txt";

    /** The ids of the jobs requested with bad input. */
    private record BadJobs(
            String notJson,
            String unknownProgram,
            String missingData,
            String tinyData,
            String feeTooHigh,
            String feeTooLow,
            String pastDeadline) {}

    @Test
    void shouldAnswerEveryBadInputWithAClearErrorWhileTheGoodJobEndsVerified() throws Exception {
        // Given a node with admin-rpc and two real workers of 40 (the tiny model)
        try (NodeStack node =
                NodeStack.start(
                        "BadInputDrillIT",
                        NodeStack.Options.defaults().withWorkers(2, 40).withAdminRpc(true))) {
            waitFor("both workers idle").until(() -> TopicReads.idleWorkers(node) == 2);
            AdminHttp admin = new AdminHttp(node.adminUrl());

            // And a good job in flight: the demo corpus, 20 EMT, 2 epochs, requested as the demo
            byte[] corpus = DemoCorpus.english();
            long deadline = DevChain.latestTimestamp(node.chain().web3j) + 86_400;
            String good =
                    node.requester()
                            .request(
                                    new DemoRequester.JobRequest(
                                            GOOD_DATASET,
                                            corpus,
                                            EmethRules.emt(20),
                                            2,
                                            "en",
                                            deadline));
            waitFor("the good job assigned to both workers")
                    .until(() -> TopicReads.trainingAssigned(node, good).size() == 2);

            // When a worker that is not the aggregator gets a round-2 shard holding NaN published
            // in its name and signed with its key, before it trains round 2 itself
            WorkerAssignment victim = nonAggregator(TopicReads.trainingAssigned(node, good));
            NodeIdentity victimKey = identity(node, victim.getWorker());
            HostileInputs.publishNaNShard(node, victim, victimKey, 2);

            // And an impostor registers that worker again, signing with a key of its own
            NodeIdentity impostor = NodeIdentity.generate();
            HostileInputs.publishForgedRegistration(node, victimKey.address(), impostor);

            // And the requester calls request directly for seven jobs the node must refuse
            BadJobs bad = requestBadJobs(node);

            // And garbage is posted to JSON-RPC: each answer is an error naming the problem
            assertJsonRpcRefusesGarbage(admin);

            // Then every bad job gets an error naming its problem, where the architecture puts it
            assertBadJobsRefused(node, bad);

            // And the forged registration is noted on the real worker's view without unseating it
            waitFor("the forged registration noted")
                    .until(() -> forgedNote(node, victimKey.address(), impostor) != null);
            WorkerView noted = forgedNote(node, victimKey.address(), impostor);
            assertThat(noted.getPowerCapacity()).isEqualTo(40);
            assertThat(noted.getJobId()).isEqualTo(good);

            // And the good job is SUBMITTED, and VERIFIED once the dev verifier verifies it
            waitFor("the good job SUBMITTED on chain")
                    .until(() -> node.verifier().status(good) == JobStatus.SUBMITTED);
            assertThat(node.verifier().verifyIfSubmitted(good, corpus.length, 5822)).isTrue();
            waitFor("the good job VERIFIED in the master's view")
                    .until(() -> TopicReads.jobState(node, good) == JobState.VERIFIED);
            assertThat(ChainCalls.of(node.chain(), "process(bytes16)", good)).hasSize(1);
            assertThat(ChainCalls.of(node.chain(), "submit(bytes16,string)", good)).hasSize(1);

            // And its aggregator refused the NaN shard, naming the worker, and averaged the other
            RoundAggregated round2 = roundAggregated(node, good, 2);
            assertThat(round2.getContributors()).containsExactly(aggregatorOf(victim));
            assertThat(round2.getRejectedShards())
                    .extracting(RejectedShard::getWorker)
                    .containsExactly(victimKey.address());
            assertThat(round2.getRejectedShards().get(0).getReason())
                    .contains("holds NaN")
                    .contains("non-finite weights are rejected");

            // And every part is still running: JSON-RPC lists the good job, health is up
            Answer joblist = admin.jsonRpc("{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":9}");
            assertThat(joblist.json().get("result").findValuesAsText("jobId")).contains(good);
            assertThat(admin.get("/health").status()).isEqualTo(200);
            assertThat(node.stoppedParts()).isEmpty();
        }
    }

    private static ConditionFactory waitFor(String what) {
        return await(what).atMost(PATIENCE).pollInterval(Duration.ofMillis(500));
    }

    /**
     * Requests a job whose param is not JSON, one of an unknown program, one whose data set was
     * never uploaded, one whose data set has 1000 bytes, one whose fee is above max_fee, and two
     * the network's contract accepts though no node should take them: a fee of 5 EMT (below min_fee
     * and VERIFIER_FEE) and a deadline already passed.
     */
    private static BadJobs requestBadJobs(NodeStack node) throws Exception {
        ChainFixture chain = node.chain();
        // the demo's requester approved (and spent) exactly the good job's fee
        DevChain.token(chain.web3j, chain.deployment, chain.requester)
                .approve(chain.deployment.coreAddress(), EmethRules.emt(1_000))
                .send();
        BadJobs bad =
                new BadJobs(
                        JobIds.random(),
                        JobIds.random(),
                        JobIds.random(),
                        JobIds.random(),
                        JobIds.random(),
                        JobIds.random(),
                        JobIds.random());
        BigInteger fee = EmethRules.emt(20);
        request(chain, bad.notJson(), 0, GOOD_DATASET, "epochs: two", fee);
        request(chain, bad.unknownProgram(), 7, GOOD_DATASET, PARAM, fee);
        request(chain, bad.missingData(), 0, "never-uploaded.txt", PARAM, fee);
        node.requester().upload("tiny.txt", bad.tinyData(), new byte[1_000]);
        request(chain, bad.tinyData(), 0, "tiny.txt", PARAM, fee);
        request(chain, bad.feeTooHigh(), 0, GOOD_DATASET, PARAM, EmethRules.emt(40));
        // the network's contract accepts a fee below its VERIFIER_FEE and a deadline in the
        // past: the node must refuse them itself
        request(chain, bad.feeTooLow(), 0, GOOD_DATASET, PARAM, EmethRules.emt(5));
        request(
                chain,
                bad.pastDeadline(),
                0,
                GOOD_DATASET,
                PARAM,
                fee,
                DevChain.latestTimestamp(chain.web3j) - 60);
        return bad;
    }

    /** Calls the contract's {@code request} as the requester, as its own tools would. */
    private static void request(
            ChainFixture chain,
            String jobId,
            long programId,
            String dataset,
            String param,
            BigInteger fee)
            throws Exception {
        request(
                chain,
                jobId,
                programId,
                dataset,
                param,
                fee,
                DevChain.latestTimestamp(chain.web3j) + 86_400);
    }

    private static void request(
            ChainFixture chain,
            String jobId,
            long programId,
            String dataset,
            String param,
            BigInteger fee,
            long deadline)
            throws Exception {
        chain.core(chain.requester)
                .request(
                        JobIds.toBytes(jobId),
                        BigInteger.valueOf(programId),
                        dataset,
                        param,
                        fee,
                        BigInteger.valueOf(deadline))
                .send();
    }

    /**
     * The param that is not JSON is stopped by the indexer with an alert on chain-alerts; each
     * other bad job is INELIGIBLE in the master's view on job-status, its lastError saying why.
     */
    private static void assertBadJobsRefused(NodeStack node, BadJobs bad) {
        waitFor("the chain alert of the non-JSON param")
                .until(() -> rejectedLog(node, bad.notJson()) != null);
        assertThat(rejectedLog(node, bad.notJson()).getReason())
                .contains("param of job " + bad.notJson() + " is not JSON")
                .contains("epochs: two");
        assertThat(TopicReads.chainEvents(node, bad.notJson())).isEmpty();
        waitFor("the bad jobs marked INELIGIBLE")
                .untilAsserted(
                        () -> {
                            assertIneligible(
                                    node,
                                    bad.unknownProgram(),
                                    "programId 7 is not supported: this master runs program 0");
                            assertIneligible(
                                    node,
                                    bad.missingData(),
                                    "the size of data set 'never-uploaded.txt' is unknown");
                            assertIneligible(
                                    node,
                                    bad.tinyData(),
                                    "data set is 1000 bytes, below the 4096-byte (4 KiB) minimum");
                            assertIneligible(
                                    node,
                                    bad.feeTooHigh(),
                                    "fee 40000000000000000000 wei (40 EMT) is above max_fee");
                            assertIneligible(
                                    node,
                                    bad.feeTooLow(),
                                    "fee 5000000000000000000 wei (5 EMT) is below min_fee");
                            assertIneligible(node, bad.pastDeadline(), "deadline");
                        });
        for (String jobId :
                List.of(
                        bad.unknownProgram(),
                        bad.missingData(),
                        bad.tinyData(),
                        bad.feeTooHigh(),
                        bad.feeTooLow(),
                        bad.pastDeadline())) {
            assertThat(TopicReads.trainingAssigned(node, jobId))
                    .as("assignments of %s", jobId)
                    .isEmpty();
            assertThat(TopicReads.processCommands(node, jobId))
                    .as("ProcessJob of %s", jobId)
                    .isEmpty();
        }
    }

    private static void assertIneligible(NodeStack node, String jobId, String problem) {
        JobView view = TopicReads.job(node, jobId);
        assertThat(view).as("the master's view of %s", jobId).isNotNull();
        assertThat(view.getState()).as("state of %s", jobId).isEqualTo(JobState.INELIGIBLE);
        assertThat(view.getLastError()).as("lastError of %s", jobId).contains(problem);
    }

    /** Malformed JSON, a param of the wrong type, an oversized body and a batch of junk. */
    private static void assertJsonRpcRefusesGarbage(AdminHttp admin) throws Exception {
        Answer malformed =
                admin.jsonRpc("{\"jsonrpc\": \"2.0\", \"method\": \"joblist\", \"id\": 1");
        assertThat(malformed.status()).isEqualTo(200);
        assertThat(malformed.json().at("/error/code").asInt()).isEqualTo(-32700);
        assertThat(malformed.json().at("/error/message").asText()).startsWith("Parse error");

        Answer wrongType =
                admin.jsonRpc(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"jobId\":42},\"id\":2}");
        assertThat(wrongType.json().at("/error/code").asInt()).isEqualTo(-32602);
        assertThat(wrongType.json().at("/error/message").asText())
                .contains("'jobId' must be a string, got a number");
        assertThat(wrongType.json().at("/id").asInt()).isEqualTo(2);

        Answer oversized =
                admin.jsonRpc(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"params\":[\""
                                + "x".repeat(1 << 20)
                                + "\"],\"id\":3}");
        assertThat(oversized.status()).isEqualTo(413);
        assertThat(oversized.json().at("/error/code").asInt()).isEqualTo(-32600);
        assertThat(oversized.json().at("/error/message").asText())
                .contains("is over the limit of 1048576 bytes");

        Answer junk =
                admin.jsonRpc(
                        "[1, \"two\", {\"jsonrpc\":\"1.0\",\"method\":\"joblist\",\"id\":4},"
                                + " {\"jsonrpc\":\"2.0\",\"method\":\"mine\",\"id\":5}]");
        assertThat(junk.status()).isEqualTo(200);
        assertThat(junk.json().findValues("code"))
                .extracting(JsonNode::asInt)
                .containsExactly(-32600, -32600, -32600, -32601);
        assertThat(junk.json().findValuesAsText("message"))
                .anySatisfy(m -> assertThat(m).contains("must be a JSON object, got a number"))
                .anySatisfy(m -> assertThat(m).contains("must be a JSON object, got a string"))
                .anySatisfy(m -> assertThat(m).contains("jsonrpc must be \"2.0\", got \"1.0\""))
                .anySatisfy(m -> assertThat(m).contains("Method not found: 'mine'"));
    }

    private static ChainLogRejected rejectedLog(NodeStack node, String jobId) {
        return TopicReads.values(node.topics().chainAlerts()).stream()
                .map(ChainAlert::getPayload)
                .filter(p -> p instanceof ChainLogRejected r && r.getReason().contains(jobId))
                .map(ChainLogRejected.class::cast)
                .findFirst()
                .orElse(null);
    }

    private static WorkerView forgedNote(NodeStack node, String worker, NodeIdentity impostor) {
        String note = "forged signature, it was made by " + impostor.address();
        return TopicReads.workerViews(node, worker).stream()
                .filter(v -> v.getLastError() != null && v.getLastError().contains(note))
                .findFirst()
                .orElse(null);
    }

    private static RoundAggregated roundAggregated(NodeStack node, String jobId, int epoch) {
        return TopicReads.values(node.topics().trainingEvents()).stream()
                .filter(e -> e.getJobId().equals(jobId))
                .map(TrainingEvent::getPayload)
                .filter(p -> p instanceof RoundAggregated r && r.getEpoch() == epoch)
                .map(RoundAggregated.class::cast)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no RoundAggregated of epoch " + epoch));
    }

    private static String aggregatorOf(WorkerAssignment a) {
        return ((TrainingAssigned) a.getPayload()).getAggregator();
    }

    private static WorkerAssignment nonAggregator(List<WorkerAssignment> assigned) {
        return assigned.stream()
                .filter(a -> !a.getWorker().equalsIgnoreCase(aggregatorOf(a)))
                .findFirst()
                .orElseThrow();
    }

    private static NodeIdentity identity(NodeStack node, String address) {
        return node.workerIdentities().stream()
                .filter(w -> w.address().equalsIgnoreCase(address))
                .findFirst()
                .orElseThrow();
    }
}
