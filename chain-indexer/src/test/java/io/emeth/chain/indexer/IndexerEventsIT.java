package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.Configs;
import io.emeth.chain.it.KafkaFixture;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.ChainLogRejected;
import io.emeth.schemas.avro.chain.ChainNodeEvent;
import io.emeth.schemas.avro.chain.JobCanceled;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.chain.RewardGranted;
import io.emeth.storage.dev.StorageDevServer;
import io.emeth.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * Every EmethCore event through a WebSocket-following indexer into Kafka: requests enriched with
 * jobDetails and the storage API's data set size, status changes, cancel, reward and penalty, and a
 * request whose param is not JSON, which becomes an alert with the raw log.
 */
class IndexerEventsIT {
    private static final byte[] CORPUS = "The quick brown fox. ".repeat(400).getBytes();

    private static ChainFixture chain;
    private static StorageDevServer storage;

    @BeforeAll
    static void start(@TempDir Path root) throws Exception {
        chain = ChainFixture.start();
        storage = StorageDevServer.start(root, "127.0.0.1", 0);
        HttpResponse<String> put =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        storage.url()
                                                                + "/api/v1/dev/dataset/corpus-en.txt"))
                                        .PUT(HttpRequest.BodyPublishers.ofByteArray(CORPUS))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (storage != null) {
            storage.close();
        }
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void shouldEmitEveryContractEventInChainOrderWithEnrichedRequests() throws Exception {
        // Given an indexer following the head over WebSocket with the storage API configured
        Topics topics = KafkaFixture.topics("events");
        var config =
                Configs.withStorage(
                                Configs.indexer(
                                        chain,
                                        topics,
                                        0,
                                        100,
                                        chain.blockNumber() + 1,
                                        KafkaTestCluster.uniqueName("events")),
                                storage.url())
                        .withEndpoint(URI.create(chain.anvil.rpcUrl().replace("http", "ws")));
        Credentials node = DevAccounts.master();
        String nodeAddress = Keys.toChecksumAddress(node.getAddress());
        try (Indexer indexer = Indexer.start(config, new SimpleMeterRegistry())) {
            // When jobs go through every path of the contract
            Job verified = Job.random("corpus-en.txt");
            Job canceled = Job.random("no-such-dataset.txt");
            Job declined = Job.random("corpus-en.txt");
            Job badParam = new Job(JobIds.random(), "corpus-en.txt", "epoch=2; not json");
            chain.requestAll(List.of(verified, canceled, declined, badParam));
            process(node, verified);
            chain.core(node).submit(JobIds.toBytes(verified.jobId()), "model.zip").send();
            chain.core(DevAccounts.verifier())
                    .verify(JobIds.toBytes(verified.jobId()), BigInteger.valueOf(1_234))
                    .send();
            chain.core(chain.requester).cancel(JobIds.toBytes(canceled.jobId())).send();
            process(node, declined);
            chain.core(node).decline(JobIds.toBytes(declined.jobId())).send();

            // Then each becomes its event, keyed and ordered as on chain
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () ->
                                    KafkaFixture.readAll(topics.chainNodeEvents()).size() == 1
                                            && KafkaFixture.readAll(topics.chainJobEvents()).size()
                                                    == 9);
            List<ChainJobEvent> jobEvents =
                    KafkaFixture.readAll(topics.chainJobEvents()).stream()
                            .map(ConsumerRecord::value)
                            .toList();
            JobRequested request = requested(jobEvents, verified);
            assertThat(request.getDatasetSizeBytes()).isEqualTo(CORPUS.length);
            assertThat(request.getDataset()).isEqualTo("corpus-en.txt");
            assertThat(request.getProgramId()).isZero();
            assertThat(request.getParam()).isEqualTo(ChainFixture.PARAM);
            assertThat(request.getFee().toBigInteger()).isEqualTo(ChainFixture.FEE);
            assertThat(request.getRequestedAt()).isBefore(request.getDeadline());
            assertThat(requested(jobEvents, canceled).getDatasetSizeBytes()).isNull();
            assertThat(statuses(jobEvents, verified))
                    .containsExactly(JobStatus.PROCESSING, JobStatus.SUBMITTED, JobStatus.VERIFIED);
            // the network's cancel emits only Cancel
            assertThat(statuses(jobEvents, canceled)).isEmpty();
            assertThat(statuses(jobEvents, declined))
                    .containsExactly(JobStatus.PROCESSING, JobStatus.DECLINED);
            assertThat(jobEvents)
                    .filteredOn(e -> e.getPayload() instanceof JobCanceled)
                    .extracting(ChainJobEvent::getJobId)
                    .containsExactly(canceled.jobId());
            assertThat(jobEvents)
                    .filteredOn(e -> e.getPayload() instanceof JobStatusChanged)
                    .extracting(e -> ((JobStatusChanged) e.getPayload()).getNode())
                    .contains(nodeAddress);
            assertThat(jobEvents)
                    .extracting(ChainJobEvent::getJobId)
                    .doesNotContain(badParam.jobId());

            List<ChainNodeEvent> nodeEvents =
                    KafkaFixture.readAll(topics.chainNodeEvents()).stream()
                            .map(ConsumerRecord::value)
                            .toList();
            assertThat(nodeEvents).extracting(ChainNodeEvent::getNode).containsOnly(nodeAddress);
            // the network's contract declares Penalty but never emits it
            assertThat(nodeEvents)
                    .extracting(ChainNodeEvent::getPayload)
                    .hasExactlyElementsOfTypes(RewardGranted.class);
            assertThat(((RewardGranted) nodeEvents.get(0).getPayload()).getGas()).isEqualTo(1_234);

            // And the request whose param is not JSON is an alert carrying the raw log
            List<ChainAlert> alerts =
                    KafkaFixture.readAll(topics.chainAlerts()).stream()
                            .map(ConsumerRecord::value)
                            .toList();
            assertThat(alerts).hasSize(1);
            ChainLogRejected rejected = (ChainLogRejected) alerts.get(0).getPayload();
            assertThat(rejected.getReason()).contains("param", badParam.jobId(), "not JSON");
            assertThat(rejected.getLog().getTopics()).hasSize(3);
            assertThat(rejected.getLog().getTopics().get(2)).startsWith(badParam.jobId());
        }
    }

    private static void process(Credentials node, Job job) throws Exception {
        DevChain.token(chain.web3j, chain.deployment, node)
                .approve(chain.deployment.coreAddress(), chain.rates().deposit(ChainFixture.FEE))
                .send();
        chain.core(node).process(JobIds.toBytes(job.jobId())).send();
    }

    private static JobRequested requested(List<ChainJobEvent> events, Job job) {
        return events.stream()
                .filter(byJob(job))
                .filter(e -> e.getPayload() instanceof JobRequested)
                .map(e -> (JobRequested) e.getPayload())
                .findFirst()
                .orElseThrow();
    }

    private static List<JobStatus> statuses(List<ChainJobEvent> events, Job job) {
        return events.stream()
                .filter(byJob(job))
                .filter(e -> e.getPayload() instanceof JobStatusChanged)
                .map(e -> ((JobStatusChanged) e.getPayload()).getStatus())
                .toList();
    }

    private static Predicate<ChainJobEvent> byJob(Job job) {
        return e -> e.getJobId().equals(job.jobId());
    }
}
