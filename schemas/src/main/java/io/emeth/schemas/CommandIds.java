package io.emeth.schemas;

import io.emeth.schemas.avro.gateway.ChainAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic ids of chain commands: {@code 0x} + sha256(subject ‖ ":" ‖ action ‖ ":" ‖ n), where
 * the subject is a job id (n = the attempt) or an account (n = the reward slot). A replayed or
 * re-derived command (after a crash, on another instance, from admin-rpc or the master) gets the
 * same id, so the gateway recognises it and sends at most one transaction. Every publisher of
 * {@code chain-commands} uses this one function so that the ids never drift apart.
 */
public final class CommandIds {
    /** One digest per thread: looking SHA-256 up costs as much as hashing a short id. */
    private static final ThreadLocal<MessageDigest> SHA256 =
            ThreadLocal.withInitial(CommandIds::sha256);

    private CommandIds() {}

    public static String of(String subject, ChainAction action, long n) {
        String text = subject + ":" + action.name() + ":" + n;
        byte[] digest = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        return "0x" + HexFormat.of().formatHex(digest);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
