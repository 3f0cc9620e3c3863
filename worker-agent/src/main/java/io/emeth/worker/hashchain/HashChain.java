package io.emeth.worker.hashchain;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The hash chain that ties a job's global models to its data set, one link per epoch.
 *
 * <p>Byte encoding (every hash is a raw 32-byte SHA-256 digest, ‖ is concatenation):
 *
 * <pre>
 * h_0 = sha256( sha256(data set bytes) ‖ jobId )          jobId: the 16 bytes of the bytes16 id
 * h_e = sha256( h_(e−1) ‖ e ‖ sha256(global model e) ‖ S_e [‖ M_e] )  e: uint64 big-endian
 * S_e = sha256( s_1 ‖ … ‖ s_n )            s_i: sha256 of the i-th accepted shard
 * M_e = sha256(DiLoCo momentum after e)    only for DiLoCo, whose momentum the next round resumes
 * </pre>
 *
 * "global model e" is the {@code WeightsCodec} encoding of the model {@code RoundAggregated}
 * publishes after epoch {@code e}; the accepted shards are the round's contributors' shards in rank
 * order ({@code RoundAggregated.acceptedShards}), so a link also proves which shards went into the
 * model. Anyone holding the data set, the job id, the models and the shard hashes can recompute
 * every link; a link that matches proves the models came in this order from this data and these
 * shards. {@link #link(byte[], long, byte[])} is the link without shards, kept for chains recorded
 * before rounds bound them.
 */
public final class HashChain {

    /** Length of a SHA-256 digest and of every link. */
    public static final int HASH_BYTES = 32;

    /** Length of a job id (the contract's bytes16). */
    public static final int JOB_ID_BYTES = 16;

    private static final Pattern JOB_ID = Pattern.compile("0x[0-9a-fA-F]{32}");
    private static final HexFormat HEX = HexFormat.of();

    private HashChain() {}

    /** {@code h_0} from the data set's sha256 and the 16-byte job id. */
    public static byte[] genesis(byte[] datasetSha256, byte[] jobId) {
        requireLength("dataset sha256", datasetSha256, HASH_BYTES);
        requireLength("jobId", jobId, JOB_ID_BYTES);
        MessageDigest digest = sha256Digest();
        digest.update(datasetSha256);
        digest.update(jobId);
        return digest.digest();
    }

    /** {@code h_0} from the data set's sha256 and the job id as {@code 0x} + 32 hex digits. */
    public static byte[] genesis(byte[] datasetSha256, String jobId) {
        return genesis(datasetSha256, jobIdBytes(jobId));
    }

    /** {@code h_e} from {@code h_(e−1)}, the epoch {@code e ≥ 1} and the global model's sha256. */
    public static byte[] link(byte[] previous, long epoch, byte[] globalModelSha256) {
        requireLength("previous link", previous, HASH_BYTES);
        requireLength("global model sha256", globalModelSha256, HASH_BYTES);
        if (epoch < 1) {
            throw new IllegalArgumentException(
                    "epoch must be >= 1 (h_0 is the genesis link), was " + epoch);
        }
        MessageDigest digest = sha256Digest();
        digest.update(previous);
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(epoch).array());
        digest.update(globalModelSha256);
        return digest.digest();
    }

    /**
     * {@code h_e} of a round: from {@code h_(e−1)}, the epoch {@code e ≥ 1}, the global model's
     * sha256, the sha256 of each accepted shard in rank order and, for DiLoCo, the sha256 of the
     * outer momentum after the round (null for plain averaging).
     */
    public static byte[] roundLink(
            byte[] previous,
            long epoch,
            byte[] globalModelSha256,
            List<byte[]> shardSha256s,
            byte[] momentumSha256) {
        requireLength("previous link", previous, HASH_BYTES);
        requireLength("global model sha256", globalModelSha256, HASH_BYTES);
        if (epoch < 1) {
            throw new IllegalArgumentException(
                    "epoch must be >= 1 (h_0 is the genesis link), was " + epoch);
        }
        MessageDigest shards = sha256Digest();
        for (byte[] shard : shardSha256s) {
            requireLength("shard sha256", shard, HASH_BYTES);
            shards.update(shard);
        }
        MessageDigest digest = sha256Digest();
        digest.update(previous);
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(epoch).array());
        digest.update(globalModelSha256);
        digest.update(shards.digest());
        if (momentumSha256 != null) {
            requireLength("momentum sha256", momentumSha256, HASH_BYTES);
            digest.update(momentumSha256);
        }
        return digest.digest();
    }

    /**
     * The link that binds a delivered file to the chain: {@code sha256(h_E ‖ sha256(file))}, for
     * the {@code model.safetensors} of a result, whose bytes differ from the rounds' encoding.
     */
    public static byte[] resultLink(byte[] last, byte[] fileSha256) {
        if (last.length != HASH_BYTES || fileSha256.length != HASH_BYTES) {
            throw new IllegalArgumentException("resultLink takes two 32-byte hashes");
        }
        byte[] both = new byte[2 * HASH_BYTES];
        System.arraycopy(last, 0, both, 0, HASH_BYTES);
        System.arraycopy(fileSha256, 0, both, HASH_BYTES, HASH_BYTES);
        return sha256(both);
    }

    /**
     * Every link {@code h_0 … h_E} for the global models of epochs {@code 1 … E}.
     *
     * @param modelSha256s sha256 of the global model of epoch 1, 2, … in order
     */
    public static List<byte[]> chain(byte[] genesis, List<byte[]> modelSha256s) {
        List<byte[]> links = new ArrayList<>(modelSha256s.size() + 1);
        links.add(genesis.clone());
        for (int e = 1; e <= modelSha256s.size(); e++) {
            links.add(link(links.get(e - 1), e, modelSha256s.get(e - 1)));
        }
        return links;
    }

    /** The 16 bytes of a job id written as {@code 0x} + 32 hex digits. */
    public static byte[] jobIdBytes(String jobId) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            String shown =
                    jobId == null
                            ? "null"
                            : jobId.length() > 40 ? jobId.substring(0, 40) + "…" : jobId;
            throw new IllegalArgumentException(
                    "jobId '" + shown + "' must be 0x followed by 32 hex digits (a bytes16)");
        }
        return HEX.parseHex(jobId.substring(2));
    }

    /** SHA-256 of bytes. */
    public static byte[] sha256(byte[] bytes) {
        return sha256Digest().digest(bytes);
    }

    /** Lower-case hex with a {@code 0x} prefix, as links appear in events. */
    public static String toHex(byte[] bytes) {
        return "0x" + HEX.formatHex(bytes);
    }

    private static void requireLength(String what, byte[] bytes, int length) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException(
                    what
                            + " must be "
                            + length
                            + " bytes, was "
                            + (bytes == null ? "null" : bytes.length + " bytes"));
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
