package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.chain.it.ChainFixture;
import io.emeth.chain.it.ChainFixture.Job;
import io.emeth.chain.it.LaggingRpcProxy;
import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobIds;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backfill's {@code jobDetails} reads on a real anvil with the EmethCore the node speaks: many
 * jobs per {@code eth_call} through the JobDetailsBatch reader placed by a state override, and one
 * call per job against a provider without state overrides (one that refuses them, one that ignores
 * them). Both answer what {@code jobDetails(jobId)} answers for each job on its own.
 */
class IndexerJobDetailsIT {
    private static ChainFixture chain;
    private static final List<Job> JOBS = new ArrayList<>();
    private static final String UNKNOWN = JobIds.random();

    private final ExecutorService pool = Executors.newFixedThreadPool(ChainReader.PARALLEL);
    private LaggingRpcProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        chain = ChainFixture.start();
        // more jobs than one call takes, with a longer param and one that is not JSON among them
        IntStream.range(0, ChainReader.JOBS_PER_CALL + 60)
                .mapToObj(i -> Job.random("corpus-" + (i % 7) + ".txt"))
                .forEach(JOBS::add);
        JOBS.add(
                new Job(
                        JobIds.random(),
                        "big.txt",
                        "{\"notes\": \"" + "x".repeat(300) + "\", \"épreuve\": \"ü\"}"));
        JOBS.add(new Job(JobIds.random(), "odd.txt", "not json at all"));
        chain.requestAll(JOBS, 50);
    }

    @AfterAll
    static void stop() {
        if (chain != null) {
            chain.close();
        }
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void shouldReadManyJobsPerCallAsEachJobsOwnCallAnswers() throws Exception {
        try (EthEndpoint endpoint = connect(URI.create(chain.anvil.rpcUrl()))) {
            ChainReader reader = reader(endpoint);

            Map<String, JobDetails> details = reader.jobDetails(ids());

            assertThat(reader.batchReads()).isEqualTo(ChainReader.BatchReads.ANSWERED);
            assertMatchesSingleCalls(details);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldFallBackToOneCallPerJobOnAProviderWithoutStateOverrides(boolean refuses)
            throws Exception {
        proxy = LaggingRpcProxy.start(chain.anvil.rpcUrl());
        if (refuses) {
            proxy.refuseStateOverrides(); // answers an error
        } else {
            proxy.ignoreStateOverrides(); // runs the call at an address without code
        }
        try (EthEndpoint endpoint = connect(proxy.uri())) {
            ChainReader reader = reader(endpoint);

            Map<String, JobDetails> details = reader.jobDetails(ids());
            long refusedFirst = proxy.refusedCalls();
            Map<String, JobDetails> again = reader.jobDetails(ids());

            assertThat(reader.batchReads()).isEqualTo(ChainReader.BatchReads.REFUSED);
            assertThat(refusedFirst).isPositive();
            assertThat(proxy.refusedCalls()).as("not asked again").isEqualTo(refusedFirst);
            assertMatchesSingleCalls(details);
            assertThat(again).isEqualTo(details);
        }
    }

    /** Every requested job and one the contract never saw, in request order. */
    private static List<String> ids() {
        List<String> ids = new ArrayList<>(JOBS.stream().map(Job::jobId).toList());
        ids.add(ChainReader.JOBS_PER_CALL / 2, UNKNOWN);
        return ids;
    }

    private static void assertMatchesSingleCalls(Map<String, JobDetails> details) throws Exception {
        assertThat(List.copyOf(details.keySet())).isEqualTo(ids());
        EmethCoreReader single = chain.reader();
        for (String jobId : details.keySet()) {
            EmethCoreReader.Details expected = single.details(jobId);
            assertThat(details.get(jobId))
                    .as(jobId)
                    .isEqualTo(
                            new JobDetails(
                                    expected.programId(), expected.param(), expected.dataset()));
        }
        for (Job job : JOBS) {
            assertThat(details.get(job.jobId()))
                    .isEqualTo(new JobDetails(BigInteger.ZERO, job.param(), job.dataset()));
        }
        assertThat(details.get(UNKNOWN).dataset()).isEmpty();
    }

    private ChainReader reader(EthEndpoint endpoint) {
        return new ChainReader(endpoint, chain.deployment.coreAddress(), pool);
    }

    private static EthEndpoint connect(URI uri) throws Exception {
        return EthEndpoint.connect(uri, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }
}
