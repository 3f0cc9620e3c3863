package io.emeth.master.testing;

import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingFailed;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

/** Event payloads with realistic defaults, for the topology tests' inputs. */
public final class Payloads {
    private Payloads() {}

    public static JobRequested jobRequested(
            String jobId,
            BigInteger feeWei,
            Long sizeBytes,
            Instant requestedAt,
            Instant deadline,
            String param,
            long programId) {
        return JobRequested.newBuilder()
                .setOwner("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
                .setFee(new BigDecimal(feeWei))
                .setDeadline(deadline)
                .setProgramId(programId)
                .setDataset("corpus-" + jobId.substring(2, 8) + ".txt")
                .setParam(param)
                .setDatasetSizeBytes(sizeBytes)
                .setRequestedAt(requestedAt)
                .build();
    }

    public static ShardTrained shardTrained(int epoch, String worker) {
        return ShardTrained.newBuilder()
                .setEpoch(epoch)
                .setRank(0)
                .setModel(model("shard-" + epoch + "-" + worker))
                .setLoss(2.0)
                .setTokens(1_000)
                .setDurationMs(1_000)
                .build();
    }

    public static RoundAggregated roundAggregated(int epoch, double loss) {
        return RoundAggregated.newBuilder()
                .setEpoch(epoch)
                .setGlobalModel(model("global-" + epoch))
                .setValidationLoss(loss)
                .setHashChainLink(Integer.toHexString(epoch).repeat(64).substring(0, 64))
                .build();
    }

    public static ResultUploaded resultUploaded(String file) {
        return ResultUploaded.newBuilder()
                .setResultFileName(file)
                .setModel(model("final"))
                .setHashChain("f".repeat(64))
                .build();
    }

    public static TrainingFailed trainingFailed(int epoch) {
        return TrainingFailed.newBuilder().setEpoch(epoch).setReason("out of memory").build();
    }

    public static ModelRef model(String name) {
        return ModelRef.newBuilder()
                .setUri("models/" + name + ".bin")
                .setSha256("0".repeat(64))
                .setSizeBytes(1_024)
                .build();
    }
}
