package io.emeth.deploy.dev;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.storage.dev.StorageDevServer;
import java.io.IOException;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * Tells the storage dev server which data set a job uses by reading {@code jobDetails} on the dev
 * chain, as the real storage service does, so that nodes download exactly what was requested.
 */
final class ChainJobDatasets implements StorageDevServer.JobDatasets {
    private final EmethCoreReader core;

    ChainJobDatasets(String endpoint, String coreAddress) {
        Web3j web3j = Web3j.build(new HttpService(endpoint));
        this.core = EmethCoreReader.of(web3j, coreAddress, coreAddress);
    }

    @Override
    public Optional<String> datasetOf(String jobId) throws IOException {
        String dataset = core.details(jobId).dataset();
        return dataset == null || dataset.isEmpty() ? Optional.empty() : Optional.of(dataset);
    }
}
