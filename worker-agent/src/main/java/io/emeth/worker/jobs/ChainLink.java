package io.emeth.worker.jobs;

import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.worker.hashchain.HashChain;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A link {@code h_epoch} of a job's hash chain with what it binds (the global model, the accepted
 * shards, DiLoCo's momentum): what an earlier round must chain to before the aggregator takes its
 * link into a result or resumes its momentum.
 *
 * @param epoch the link's epoch ({@code >= 1})
 * @param link {@code h_epoch}, 64 hex characters
 * @param modelSha256 the global model of {@code epoch}, 64 hex characters
 * @param shardSha256s the accepted shards' sha256 in rank order
 * @param momentumSha256 the DiLoCo momentum after {@code epoch}, or null
 */
record ChainLink(
        int epoch,
        String link,
        String modelSha256,
        List<String> shardSha256s,
        String momentumSha256) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

    /** The link a published round claims. */
    static ChainLink of(RoundAggregated round) {
        ModelRef momentum = round.getOuterMomentum();
        return new ChainLink(
                round.getEpoch(),
                round.getHashChainLink(),
                round.getGlobalModel().getSha256(),
                round.getAcceptedShards(),
                momentum == null ? null : momentum.getSha256());
    }

    /** The link of {@code epoch} over these parts, following {@code previous} (raw). */
    static byte[] compute(
            byte[] previous,
            int epoch,
            String modelSha256,
            List<String> shardSha256s,
            String momentumSha256) {
        HexFormat hex = HexFormat.of();
        List<byte[]> shards = new ArrayList<>();
        shardSha256s.forEach(s -> shards.add(hex.parseHex(s)));
        return HashChain.roundLink(
                previous,
                epoch,
                hex.parseHex(modelSha256),
                shards,
                momentumSha256 == null ? null : hex.parseHex(momentumSha256));
    }

    /** Whether {@code previous} is {@code h_(epoch−1)}: false for anything malformed. */
    boolean follows(String previous) {
        if (!hex64(previous) || !hex64(link) || !hex64(modelSha256)) {
            return false;
        }
        if (!shardSha256s.stream().allMatch(ChainLink::hex64)
                || (momentumSha256 != null && !hex64(momentumSha256))) {
            return false;
        }
        HexFormat hex = HexFormat.of();
        byte[] expected =
                compute(hex.parseHex(previous), epoch, modelSha256, shardSha256s, momentumSha256);
        return MessageDigest.isEqual(expected, hex.parseHex(link));
    }

    private static boolean hex64(String s) {
        return s != null && HEX64.matcher(s).matches();
    }
}
