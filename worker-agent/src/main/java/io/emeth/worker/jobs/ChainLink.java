package io.emeth.worker.jobs;

import io.emeth.worker.hashchain.HashChain;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A known link {@code h_epoch} of a job's hash chain with the sha256 of its global model: what an
 * earlier round's link must chain to before the aggregator takes it into a result.
 *
 * @param epoch the link's epoch ({@code >= 1})
 * @param link {@code h_epoch}, 64 lower-case hex characters
 * @param modelSha256 the global model of {@code epoch}, 64 hex characters
 */
record ChainLink(int epoch, String link, String modelSha256) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

    /** Whether {@code previous} is {@code h_(epoch−1)}: false for anything not 64 hex digits. */
    boolean follows(String previous) {
        if (previous == null
                || !HEX64.matcher(previous).matches()
                || link == null
                || !HEX64.matcher(link).matches()
                || modelSha256 == null
                || !HEX64.matcher(modelSha256).matches()) {
            return false;
        }
        HexFormat hex = HexFormat.of();
        byte[] expected = HashChain.link(hex.parseHex(previous), epoch, hex.parseHex(modelSha256));
        return MessageDigest.isEqual(expected, hex.parseHex(link));
    }
}
