package io.emeth.deploy.demo;

import io.emeth.contracts.JobIds;
import io.emeth.contracts.dev.DevChain;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * The demo's requester: puts a data set on the storage dev server and requests a training job on
 * chain for it (ERC-20 {@code approve} of the fee, then {@code request}), as a requester of the
 * Emeth network does through its own tools.
 */
public final class DemoRequester {
    private static final Logger log = LoggerFactory.getLogger(DemoRequester.class);

    /** What to request. {@code deadline} is a unix time in seconds. */
    public record JobRequest(
            String dataset,
            byte[] data,
            BigInteger fee,
            int epochs,
            String language,
            long deadline) {}

    private final Web3j web3j;
    private final DevChain.Deployment deployment;
    private final Credentials requester;
    private final URI storageApi;
    private final HttpClient http = HttpClient.newHttpClient();

    public DemoRequester(
            Web3j web3j, DevChain.Deployment deployment, Credentials requester, URI storageApi) {
        this.web3j = web3j;
        this.deployment = deployment;
        this.requester = requester;
        this.storageApi = storageApi;
    }

    /** Uploads the data set, approves the fee and requests the job; returns its id. */
    public String request(JobRequest job) throws Exception {
        String jobId = JobIds.random();
        upload(job.dataset(), jobId, job.data());
        EmethToken token = DevChain.token(web3j, deployment, requester);
        token.approve(deployment.coreAddress(), job.fee()).send();
        EmethCore core = DevChain.core(web3j, deployment, requester);
        String param =
                "{\"language\": \"" + job.language() + "\", \"epoch\": " + job.epochs() + "}";
        core.request(
                        JobIds.toBytes(jobId),
                        BigInteger.ZERO,
                        job.dataset(),
                        param,
                        job.fee(),
                        BigInteger.valueOf(job.deadline()))
                .send();
        log.info(
                "Requested job [jobId:{}, dataset:{}, bytes:{}, fee:{}, epochs:{}]",
                jobId,
                job.dataset(),
                job.data().length,
                job.fee(),
                job.epochs());
        return jobId;
    }

    /**
     * Puts {@code data} on the storage dev server as data set {@code dataset}, bound to {@code
     * jobId} (the part of {@link #request} a requester does before it goes on chain).
     */
    public void upload(String dataset, String jobId, byte[] data) throws IOException {
        URI uri = storageApi.resolve("/api/v1/dev/dataset/" + dataset + "?jobId=" + jobId);
        HttpRequest put =
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(60))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
                        .build();
        try {
            HttpResponse<String> response = http.send(put, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException(
                        "storage dev server refused data set "
                                + dataset
                                + ": HTTP "
                                + response.statusCode()
                                + " "
                                + response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading data set " + dataset, e);
        }
    }
}
