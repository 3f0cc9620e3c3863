package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.chain.indexer.DecodedLog.Canceled;
import io.emeth.chain.indexer.DecodedLog.Penalized;
import io.emeth.chain.indexer.DecodedLog.Rejected;
import io.emeth.chain.indexer.DecodedLog.Requested;
import io.emeth.chain.indexer.DecodedLog.Rewarded;
import io.emeth.chain.indexer.DecodedLog.StatusChanged;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogDecoderTest {
    static final String CONTRACT = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
    static final String OWNER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
    static final String JOB = "0x0123456789abcdef0123456789abcdef";
    static final String JOB_TOPIC = JOB + "0".repeat(32);

    static String word(long value) {
        return String.format("%064x", value);
    }

    static String addressWord(String address) {
        return "0".repeat(24) + address.substring(2).toLowerCase();
    }

    static ChainLog log(List<String> topics, String data) {
        return new ChainLog(
                CONTRACT,
                topics,
                data,
                12,
                "0x" + "ab".repeat(32),
                "0x" + "cd".repeat(32),
                3,
                false);
    }

    @Test
    void shouldDecodeARequestLog() {
        // Given a Request log with fee 20 EMT and a deadline
        BigInteger fee = BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(20));
        ChainLog log =
                log(
                        List.of(LogDecoder.REQUEST, "0x" + addressWord(OWNER), JOB_TOPIC),
                        "0x" + String.format("%064x", fee) + word(1_800_000_000L));

        // When it is decoded
        DecodedLog decoded = LogDecoder.decode(log);

        // Then owner, job id, fee and deadline come out checked
        assertThat(decoded).isEqualTo(new Requested(OWNER, JOB, fee, 1_800_000_000L));
    }

    @Test
    void shouldDecodeStatusCancelRewardAndPenaltyLogs() {
        assertThat(
                        LogDecoder.decode(
                                log(
                                        List.of(LogDecoder.STATUS, JOB_TOPIC),
                                        "0x" + addressWord(OWNER) + word(2))))
                .isEqualTo(new StatusChanged(JOB, OWNER, 2));
        assertThat(LogDecoder.decode(log(List.of(LogDecoder.CANCEL, JOB_TOPIC), "0x")))
                .isEqualTo(new Canceled(JOB));
        assertThat(
                        LogDecoder.decode(
                                log(
                                        List.of(LogDecoder.REWARD, "0x" + addressWord(OWNER)),
                                        "0x" + word(4) + word(9_000))))
                .isEqualTo(new Rewarded(OWNER, 4, 9_000));
        assertThat(
                        LogDecoder.decode(
                                log(
                                        List.of(LogDecoder.PENALTY, "0x" + addressWord(OWNER)),
                                        "0x" + word(77))))
                .isEqualTo(new Penalized(OWNER, BigInteger.valueOf(77)));
    }

    @Test
    void shouldRejectAnUnknownTopicNamingIt() {
        String unknown = "0x" + "ee".repeat(32);
        assertThat(LogDecoder.decode(log(List.of(unknown), "0x")))
                .isInstanceOfSatisfying(
                        Rejected.class,
                        r -> assertThat(r.reason()).contains("unknown event topic", unknown));
    }

    @Test
    void shouldRejectALogWithoutTopics() {
        assertThat(LogDecoder.decode(log(List.of(), "0x"))).isInstanceOf(Rejected.class);
    }

    @Test
    void shouldRejectUndecodableDataNamingTheEventAndLength() {
        ChainLog shortData = log(List.of(LogDecoder.STATUS, JOB_TOPIC), "0x" + word(1));
        ChainLog notHex = log(List.of(LogDecoder.STATUS, JOB_TOPIC), "0xzz");
        ChainLog oddHex = log(List.of(LogDecoder.CANCEL, JOB_TOPIC), "0x123");

        assertThat(((Rejected) LogDecoder.decode(shortData)).reason())
                .contains("Status", "32 bytes", "expected 64");
        assertThat(((Rejected) LogDecoder.decode(notHex)).reason()).contains("not 0x-prefixed hex");
        assertThat(LogDecoder.decode(oddHex)).isInstanceOf(Rejected.class);
    }

    @Test
    void shouldRejectAJobIdThatIsNotABytes16() {
        String dirty = "0x" + "11".repeat(31) + "01";
        assertThat(
                        ((Rejected) LogDecoder.decode(log(List.of(LogDecoder.CANCEL, dirty), "0x")))
                                .reason())
                .contains("not a bytes16");
    }

    @Test
    void shouldRejectAnAddressWordWithHighBytesSet() {
        String dirty = "0x" + "ff".repeat(12) + OWNER.substring(2).toLowerCase();
        assertThat(
                        ((Rejected)
                                        LogDecoder.decode(
                                                log(
                                                        List.of(LogDecoder.STATUS, JOB_TOPIC),
                                                        dirty + word(2))))
                                .reason())
                .contains("Status nodeAddress", "not an address");
    }

    @Test
    void shouldRejectOutOfRangeNumbers() {
        String huge = "f".repeat(64);
        assertThat(
                        ((Rejected)
                                        LogDecoder.decode(
                                                log(
                                                        List.of(LogDecoder.STATUS, JOB_TOPIC),
                                                        "0x" + addressWord(OWNER) + word(10))))
                                .reason())
                .contains("Status status 10 is out of range");
        assertThat(
                        ((Rejected)
                                        LogDecoder.decode(
                                                log(
                                                        List.of(
                                                                LogDecoder.REQUEST,
                                                                "0x" + addressWord(OWNER),
                                                                JOB_TOPIC),
                                                        "0x" + word(1) + huge)))
                                .reason())
                .contains("Request deadline", "out of range");
        assertThat(
                        ((Rejected)
                                        LogDecoder.decode(
                                                log(
                                                        List.of(
                                                                LogDecoder.REWARD,
                                                                "0x" + addressWord(OWNER)),
                                                        "0x" + huge + word(1))))
                                .reason())
                .contains("Reward slot");
    }

    @Test
    void shouldRejectWrongTopicCountsAndMalformedTopics() {
        assertThat(((Rejected) LogDecoder.decode(log(List.of(LogDecoder.CANCEL), "0x"))).reason())
                .contains("Cancel log has 1 topics, expected 2");
        assertThat(
                        ((Rejected)
                                        LogDecoder.decode(
                                                log(List.of(LogDecoder.CANCEL, "0x12"), "0x")))
                                .reason())
                .contains("not 0x + 64 hex digits");
    }

    @Test
    void shouldRejectALogWithoutPositionAndAbbreviateHostileTopics() {
        ChainLog pending =
                new ChainLog(
                        CONTRACT,
                        List.of(LogDecoder.CANCEL, JOB_TOPIC),
                        "0x",
                        -1,
                        null,
                        null,
                        -1,
                        false);
        assertThat(((Rejected) LogDecoder.decode(pending)).reason()).contains("position");

        String hostile = "0x" + "a".repeat(100_000);
        String reason = ((Rejected) LogDecoder.decode(log(List.of(hostile), "0x"))).reason();
        assertThat(reason.length()).isLessThan(300);
    }
}
