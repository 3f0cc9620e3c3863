package io.emeth.master.rules;

import io.emeth.schemas.avro.gateway.ChainAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic ids of the chain commands the master issues: {@code 0x} + sha256(jobId ‖ ":" ‖
 * action ‖ ":" ‖ attempt). A replayed or re-derived command (after a crash, on another instance)
 * gets the same id, so the gateway recognises it and sends at most one transaction.
 */
public final class CommandIds {
    private CommandIds() {}

    public static String of(String jobId, ChainAction action, int attempt) {
        String text = jobId + ":" + action.name() + ":" + attempt;
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return "0x" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
