package io.emeth.chain.indexer;

import io.emeth.chain.indexer.DecodedLog.Canceled;
import io.emeth.chain.indexer.DecodedLog.Ignored;
import io.emeth.chain.indexer.DecodedLog.Penalized;
import io.emeth.chain.indexer.DecodedLog.Rejected;
import io.emeth.chain.indexer.DecodedLog.Requested;
import io.emeth.chain.indexer.DecodedLog.Rewarded;
import io.emeth.chain.indexer.DecodedLog.StatusChanged;
import io.emeth.contracts.JobIds;
import io.emeth.contracts.generated.EmethCore;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * Decodes EmethCore logs strictly: topic count, data length, address padding, the {@code bytes16}
 * padding of job ids and the range of every number are checked, and anything off becomes {@link
 * Rejected} with a reason naming the field, never an exception. Pure; the indexer's single place
 * that knows the contract's event layout.
 */
final class LogDecoder {
    static final String REQUEST = EventEncoder.encode(EmethCore.REQUEST_EVENT);
    static final String STATUS = EventEncoder.encode(EmethCore.STATUS_EVENT);
    static final String CANCEL = EventEncoder.encode(EmethCore.CANCEL_EVENT);
    static final String REWARD = EventEncoder.encode(EmethCore.REWARD_EVENT);
    static final String PENALTY = EventEncoder.encode(EmethCore.PENALTY_EVENT);

    /**
     * Events of the contract that no consumer needs, skipped without an alert: none, since the
     * network's EmethCore emits only the five above; kept for a later revision that adds one.
     */
    private static final Map<String, String> IGNORED = Map.of();

    /** Highest contract status code (DECLINED). */
    static final int MAX_STATUS = 9;

    /** Largest deadline (seconds) whose milliseconds fit a long. */
    static final long MAX_SECONDS = Long.MAX_VALUE / 1000;

    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private LogDecoder() {}

    static DecodedLog decode(ChainLog log) {
        try {
            return decodeChecked(log);
        } catch (BadLog e) {
            return new Rejected(e.getMessage());
        }
    }

    private static DecodedLog decodeChecked(ChainLog log) throws BadLog {
        if (!log.positioned()) {
            throw new BadLog(
                    "log has no complete position (block number, block hash, tx hash,"
                            + " log index)");
        }
        List<String> topics = log.topics();
        if (topics.isEmpty()) {
            throw new BadLog("log has no topics (an anonymous event EmethCore does not emit)");
        }
        String topic0 = Hex.lower(topics.get(0));
        if (topic0.equals(REQUEST)) {
            BigInteger[] data = words(log, 2, "Request");
            topics(log, 3, "Request");
            return new Requested(
                    address(topics.get(1), "Request owner"),
                    jobId(topics.get(2)),
                    data[0],
                    asLong(data[1], "Request deadline", MAX_SECONDS));
        }
        if (topic0.equals(STATUS)) {
            BigInteger[] data = words(log, 2, "Status");
            topics(log, 2, "Status");
            long status = asLong(data[1], "Status status", MAX_STATUS);
            return new StatusChanged(
                    jobId(topics.get(1)),
                    address(word(data[0]), "Status nodeAddress"),
                    (int) status);
        }
        if (topic0.equals(CANCEL)) {
            words(log, 0, "Cancel");
            topics(log, 2, "Cancel");
            return new Canceled(jobId(topics.get(1)));
        }
        if (topic0.equals(REWARD)) {
            BigInteger[] data = words(log, 2, "Reward");
            topics(log, 2, "Reward");
            return new Rewarded(
                    address(topics.get(1), "Reward nodeAddress"),
                    asLong(data[0], "Reward slot", Long.MAX_VALUE),
                    asLong(data[1], "Reward gas", Long.MAX_VALUE));
        }
        if (topic0.equals(PENALTY)) {
            BigInteger[] data = words(log, 1, "Penalty");
            topics(log, 2, "Penalty");
            return new Penalized(address(topics.get(1), "Penalty nodeAddress"), data[0]);
        }
        String ignored = IGNORED.get(topic0);
        if (ignored != null) {
            return new Ignored(ignored);
        }
        throw new BadLog(
                "unknown event topic "
                        + abbreviate(topics.get(0))
                        + ": not an EmethCore event this indexer knows");
    }

    private static void topics(ChainLog log, int expected, String event) throws BadLog {
        if (log.topics().size() != expected) {
            throw new BadLog(
                    event + " log has " + log.topics().size() + " topics, expected " + expected);
        }
        for (String topic : log.topics()) {
            if (!Hex.isWord(topic)) {
                throw new BadLog(
                        event + " log topic '" + abbreviate(topic) + "' is not 0x + 64 hex digits");
            }
        }
    }

    /** The data as {@code expected} 32-byte words. */
    private static BigInteger[] words(ChainLog log, int expected, String event) throws BadLog {
        String data = log.data();
        if (!Hex.isData(data)) {
            throw new BadLog(event + " log data '" + abbreviate(data) + "' is not 0x-prefixed hex");
        }
        int bytes = (data.length() - 2) / 2;
        if (bytes != expected * 32) {
            throw new BadLog(event + " log data is " + bytes + " bytes, expected " + expected * 32);
        }
        BigInteger[] words = new BigInteger[expected];
        for (int i = 0; i < expected; i++) {
            words[i] = new BigInteger(data.substring(2 + i * 64, 2 + (i + 1) * 64), 16);
        }
        return words;
    }

    /** A {@code bytes16} job id from its topic: 16 bytes left-aligned, 16 zero bytes after. */
    private static String jobId(String topic) throws BadLog {
        if (!Hex.isWord(topic)) {
            throw new BadLog("job id topic '" + abbreviate(topic) + "' is not 0x + 64 hex digits");
        }
        byte[] bytes = Numeric.hexStringToByteArray(topic);
        for (int i = JobIds.LENGTH; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                throw new BadLog(
                        "job id topic "
                                + Hex.lower(topic)
                                + " is not a bytes16 (its last 16 bytes are not zero)");
            }
        }
        return JobIds.toHex(Arrays.copyOf(bytes, JobIds.LENGTH));
    }

    /** An address from a 32-byte word: 12 zero bytes, then 20 address bytes. */
    private static String address(String word, String field) throws BadLog {
        if (!Hex.isWord(word)) {
            throw new BadLog(field + " '" + abbreviate(word) + "' is not 0x + 64 hex digits");
        }
        String digits = Hex.lower(word).substring(2);
        if (!digits.startsWith("0".repeat(24))) {
            throw new BadLog(
                    field
                            + " "
                            + Hex.lower(word)
                            + " is not an address (its first 12 bytes are not zero)");
        }
        return checksummed("0x" + digits.substring(24));
    }

    /** Checksummed addresses already computed (a Keccak each); a backfill sees few owners. */
    private static final Map<String, String> CHECKSUMMED = new ConcurrentHashMap<>();

    private static final int MAX_CHECKSUMMED = 4_096;

    private static String checksummed(String address) {
        String known = CHECKSUMMED.get(address);
        if (known == null) {
            known = Keys.toChecksumAddress(address);
            if (CHECKSUMMED.size() >= MAX_CHECKSUMMED) {
                CHECKSUMMED.clear();
            }
            CHECKSUMMED.put(address, known);
        }
        return known;
    }

    private static String word(BigInteger value) {
        return Numeric.toHexStringWithPrefixZeroPadded(value, 64);
    }

    private static long asLong(BigInteger value, String field, long max) throws BadLog {
        if (value.compareTo(LONG_MAX) > 0 || value.longValue() > max) {
            throw new BadLog(field + " " + value + " is out of range (at most " + max + ")");
        }
        return value.longValue();
    }

    static String abbreviate(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() <= 80 ? value : value.substring(0, 77) + "…";
    }

    /** A log that cannot be decoded; the message is the rejection reason. */
    private static final class BadLog extends Exception {
        private static final long serialVersionUID = 1L;

        BadLog(String message) {
            super(message, null, false, false);
        }
    }
}
