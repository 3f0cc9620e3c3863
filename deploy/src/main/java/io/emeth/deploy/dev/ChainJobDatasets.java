package io.emeth.deploy.dev;

import io.emeth.contracts.JobIds;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.storage.dev.StorageDevServer;
import java.io.IOException;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * Tells the storage dev server which data set a job uses by reading {@code jobDetails} on the dev
 * chain, as the real storage service does, so that nodes download exactly what was requested.
 */
final class ChainJobDatasets implements StorageDevServer.JobDatasets {
    private final EmethCore core;

    ChainJobDatasets(String endpoint, String coreAddress) {
        Web3j web3j = Web3j.build(new HttpService(endpoint));
        this.core =
                EmethCore.load(
                        coreAddress,
                        web3j,
                        new ReadonlyTransactionManager(web3j, coreAddress),
                        new DefaultGasProvider());
    }

    @Override
    public Optional<String> datasetOf(String jobId) throws IOException {
        try {
            String dataset = core.jobDetails(JobIds.toBytes(jobId)).send().component3();
            return dataset == null || dataset.isEmpty() ? Optional.empty() : Optional.of(dataset);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(
                    "jobDetails(" + jobId + ") failed on the dev chain: " + e.getMessage(), e);
        }
    }
}
