package io.emeth.worker.it;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.storage.StorageClient;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.worker.hashchain.HashChain;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a broken or hostile worker uploads as its shard: weights holding NaN, put in the storage API
 * in a given worker's name. Shared by {@link WorkerBadShardsIT} and the end-to-end bad-input drill,
 * which aim it at a real aggregator.
 */
public final class BadShards {
    private BadShards() {}

    /** {@code weights} with one value of the first tensor replaced by NaN. */
    public static ModelWeights withNaN(ModelWeights weights) {
        List<NamedTensor> tensors = new ArrayList<>();
        for (NamedTensor t : weights.tensors()) {
            float[] data = t.data().clone();
            if (tensors.isEmpty()) {
                data[3] = Float.NaN;
            }
            tensors.add(new NamedTensor(t.name(), t.shape(), data));
        }
        return new ModelWeights(tensors);
    }

    /**
     * Uploads {@code bytes} for {@code jobId} as {@code as} (through a temporary file in {@code
     * dir}) and answers the reference a {@code ShardTrained} carries: its file name, sha256 and
     * size.
     */
    public static ModelRef upload(
            URI storageApi, NodeIdentity as, String jobId, byte[] bytes, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Path file = Files.createTempFile(dir, "shard", ".emwt");
        Files.write(file, bytes);
        String fileName = StorageClient.builder(storageApi, as).build().upload(jobId, file, "emwt");
        return ModelRef.newBuilder()
                .setUri(fileName)
                .setSha256(HexFormat.of().formatHex(HashChain.sha256(bytes)))
                .setSizeBytes(bytes.length)
                .build();
    }
}
