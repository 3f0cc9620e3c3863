package io.emeth.worker.jobs;

import io.emeth.common.storage.StorageClient;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.worker.data.DataSplit;
import io.emeth.worker.data.InvalidDatasetException;
import io.emeth.worker.data.SplitDataset;
import io.emeth.worker.hashchain.HashChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a job's data set through the storage API (once: a restarted worker reuses the complete file
 * it downloaded), checks its sha256 when the assignment carries one, and splits it with {@link
 * DataSplit} into this worker's shard (by rank) and the validation split. Missing, empty, too small
 * or non-UTF-8 data is refused with a {@link JobFailure} naming the job and the data set.
 */
final class DatasetFetcher {
    private static final Logger log = LoggerFactory.getLogger(DatasetFetcher.class);

    /**
     * What a worker keeps of the data set; {@code shards} holds every rank's shard (index = rank),
     * from which the aggregator derives the tokens the plan gives each rank.
     */
    record PreparedData(
            byte[] shard,
            byte[] validation,
            byte[] datasetSha256,
            long datasetBytes,
            List<byte[]> shards) {}

    private final StorageClient storage;
    private final long maxDatasetBytes;

    DatasetFetcher(StorageClient storage, long maxDatasetBytes) {
        this.storage = storage;
        this.maxDatasetBytes = maxDatasetBytes;
    }

    PreparedData fetch(JobSpec spec, Path jobDir) throws JobFailure, InterruptedException {
        String what = "job " + spec.jobId() + ": data set '" + spec.datasetName() + "'";
        Path file = jobDir.resolve("dataset.txt");
        byte[] bytes;
        try {
            Files.createDirectories(jobDir);
            if (!Files.exists(file)) {
                storage.download(spec.jobId(), file);
            } else {
                log.info("Reusing the downloaded data set [jobId:{}, file:{}]", spec.jobId(), file);
            }
            long size = Files.size(file);
            if (size > maxDatasetBytes) {
                Files.deleteIfExists(file);
                throw new JobFailure(
                        WorkerPhase.WAIT_DATA,
                        what
                                + " has "
                                + size
                                + " bytes; a worker accepts at most "
                                + maxDatasetBytes);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("data download interrupted");
            }
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA, what + " could not be downloaded: " + e.getMessage(), e);
        }
        byte[] sha = HashChain.sha256(bytes);
        String shaHex = HexFormat.of().formatHex(sha);
        if (spec.datasetSha256().isPresent() && !spec.datasetSha256().get().equals(shaHex)) {
            deleteQuietly(file);
            throw new JobFailure(
                    WorkerPhase.WAIT_DATA,
                    what
                            + " has sha256 "
                            + shaHex
                            + " but the assignment says "
                            + spec.datasetSha256().get());
        }
        if (spec.datasetSizeBytes() > 0 && spec.datasetSizeBytes() != bytes.length) {
            log.warn(
                    "Data set size differs from the assignment's [jobId:{}, bytes:{}, assigned:{}]",
                    spec.jobId(),
                    bytes.length,
                    spec.datasetSizeBytes());
        }
        SplitDataset split;
        try {
            split =
                    new DataSplit(spec.model().contextLength() + 1, maxDatasetBytes)
                            .split(bytes, spec.language(), spec.worldSize());
        } catch (InvalidDatasetException e) {
            throw new JobFailure(WorkerPhase.WAIT_DATA, what + " refused: " + e.getMessage(), e);
        }
        log.info(
                "Data set ready [jobId:{}, bytes:{}, sha256:{}, rank:{}, shardBytes:{}, validationBytes:{}]",
                spec.jobId(),
                bytes.length,
                shaHex,
                spec.rank(),
                split.shard(spec.rank()).length,
                split.validation().length);
        return new PreparedData(
                split.shard(spec.rank()), split.validation(), sha, bytes.length, split.shards());
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete a refused data set [file:{}, error:{}]", file, e.toString());
        }
    }
}
