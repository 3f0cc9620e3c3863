package io.emeth.master.routing;

import io.emeth.common.eth.InvalidSignatureException;
import io.emeth.common.eth.Signatures;
import io.emeth.master.config.ModelTable;
import io.emeth.schemas.avro.worker.WorkerRegistered;

/**
 * Decides whether a {@code WorkerRegistered} may join the pool, as the original master did and more
 * strictly: its values are sane, the address is whitelisted, the signed timestamp is at most 60 s
 * older than the record's arrival on Kafka (and not more than 60 s ahead, for clock skew), and the
 * EIP-191 signature over {@code keccak256(abi.encodePacked(uint256 signedAt))} recovers to the
 * worker's own address.
 *
 * <p>Pure: the caller supplies the time; the cheap checks run before the signature recovery.
 */
public final class RegistrationCheck {
    /** The original's window for node-to-node signatures. */
    public static final long MAX_AGE_MS = 60_000;

    /** A power capacity beyond this is a typo or an attack, not a GPU. */
    public static final long MAX_POWER_CAPACITY = 1_000_000_000_000L;

    static final int MAX_DEVICE_CHARS = 64;
    static final int MAX_URL_CHARS = 2_048;
    static final int MAX_MODELS = 64;
    static final long MIN_HEARTBEAT_MS = 100;
    static final long MAX_HEARTBEAT_MS = 3_600_000;

    private RegistrationCheck() {}

    /**
     * Null when the registration is acceptable, else why not (naming the worker and field); {@code
     * nowMs} is when the registration reached Kafka (the record's timestamp).
     */
    public static String problem(
            String worker, WorkerRegistered reg, long nowMs, WorkerWhitelist whitelist) {
        String values = valueProblem(reg);
        if (values != null) {
            return "registration of " + worker + " refused: " + values;
        }
        if (!whitelist.allows(worker)) {
            return "registration of "
                    + worker
                    + " refused: the address is not in worker_whitelist; add it to"
                    + " config/master.json to let the worker join";
        }
        long signedAt = reg.getSignedAt().toEpochMilli();
        if (nowMs - signedAt > MAX_AGE_MS) {
            return "registration of "
                    + worker
                    + " refused: stale signature, signed "
                    + (nowMs - signedAt)
                    + " ms before it reached Kafka (at most "
                    + MAX_AGE_MS
                    + " ms allowed); the worker must sign a fresh timestamp";
        }
        if (signedAt - nowMs > MAX_AGE_MS) {
            return "registration of "
                    + worker
                    + " refused: signedAt is "
                    + (signedAt - nowMs)
                    + " ms in the future; check the worker's clock";
        }
        try {
            String signer = Signatures.recoverTimestampSigner(signedAt, reg.getSignature());
            if (!Signatures.sameAddress(signer, worker)) {
                return "registration of "
                        + worker
                        + " refused: forged signature, it was made by "
                        + signer
                        + ", not by the worker's key";
            }
        } catch (InvalidSignatureException e) {
            return "registration of " + worker + " refused: malformed signature: " + e.getMessage();
        }
        return null;
    }

    private static String valueProblem(WorkerRegistered reg) {
        long capacity = reg.getPowerCapacity();
        if (capacity < 1 || capacity > MAX_POWER_CAPACITY) {
            return "powerCapacity must be between 1 and "
                    + MAX_POWER_CAPACITY
                    + ", got "
                    + capacity;
        }
        String device = reg.getDevice();
        if (device == null || device.isBlank() || device.length() > MAX_DEVICE_CHARS) {
            return "device must be 1 to "
                    + MAX_DEVICE_CHARS
                    + " characters (cpu, cuda, cuda:N), got "
                    + describe(device);
        }
        String url = reg.getUrl();
        if (url == null || url.length() > MAX_URL_CHARS) {
            return "url must be at most " + MAX_URL_CHARS + " characters, got " + describe(url);
        }
        if (reg.getModels() != null) {
            if (reg.getModels().size() > MAX_MODELS) {
                return "models lists "
                        + reg.getModels().size()
                        + " checkpoints, more than "
                        + MAX_MODELS;
            }
            for (String model : reg.getModels()) {
                if (model == null || !ModelTable.NAME.matcher(model).matches()) {
                    return "models must be directory names of letters, digits, '.', '_' and '-'"
                            + " (at most 100), got "
                            + describe(model);
                }
            }
        }
        Long interval = reg.getHeartbeatIntervalMs();
        if (interval != null && (interval < MIN_HEARTBEAT_MS || interval > MAX_HEARTBEAT_MS)) {
            return "heartbeatIntervalMs must be between "
                    + MIN_HEARTBEAT_MS
                    + " and "
                    + MAX_HEARTBEAT_MS
                    + ", got "
                    + interval;
        }
        return null;
    }

    private static String describe(String value) {
        if (value == null) {
            return "nothing";
        }
        return value.length() <= 40
                ? "'" + value + "'"
                : value.length() + " characters starting '" + value.substring(0, 20) + "…'";
    }
}
