package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.chain.indexer.DecodedLog.Requested;
import io.emeth.chain.indexer.DecodedLog.StatusChanged;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.ChainLogRejected;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFactoryTest {
    static final String CONTRACT = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    final EventFactory events = new EventFactory(CONTRACT, Clock.fixed(NOW, ZoneOffset.UTC));
    final ChainLog log = LogDecoderTest.log(List.of(LogDecoder.CANCEL), "0x");

    @Test
    void shouldBuildAnEnrichedJobRequestedKeyedByJobId() {
        Requested r =
                new Requested(LogDecoderTest.OWNER, LogDecoderTest.JOB, BigInteger.TEN, 2_000);
        Emission e =
                events.requested(
                        log,
                        r,
                        new JobDetails(BigInteger.ONE, "{\"epoch\": 1}", "corpus"),
                        8_192L,
                        1_000);

        assertThat(e.kind()).isEqualTo(Emission.Kind.JOB_EVENT);
        assertThat(e.key()).isEqualTo(LogDecoderTest.JOB);
        ChainJobEvent event = (ChainJobEvent) e.value();
        assertThat(event.getPosition().getBlockNumber()).isEqualTo(12);
        assertThat(event.getPosition().getLogIndex()).isEqualTo(3);
        JobRequested payload = (JobRequested) event.getPayload();
        assertThat(payload.getDeadline()).isEqualTo(Instant.ofEpochSecond(2_000));
        assertThat(payload.getRequestedAt()).isEqualTo(Instant.ofEpochSecond(1_000));
        assertThat(payload.getDatasetSizeBytes()).isEqualTo(8_192L);
        assertThat(payload.getProgramId()).isEqualTo(1);
    }

    @Test
    void shouldTurnUnusableDetailsIntoARejectionAlertWithTheRawLog() {
        Requested r =
                new Requested(LogDecoderTest.OWNER, LogDecoderTest.JOB, BigInteger.TEN, 2_000);
        Emission e =
                events.requested(
                        log, r, new JobDetails(BigInteger.ZERO, "nope", "corpus"), null, 1_000);

        assertThat(e.kind()).isEqualTo(Emission.Kind.ALERT);
        assertThat(e.key()).isEqualTo(CONTRACT);
        ChainAlert alert = (ChainAlert) e.value();
        assertThat(alert.getDetectedAt()).isEqualTo(NOW);
        ChainLogRejected rejected = (ChainLogRejected) alert.getPayload();
        assertThat(rejected.getReason()).contains("not JSON");
        assertThat(rejected.getLog().getTopics()).containsExactly(LogDecoder.CANCEL);
    }

    @Test
    void shouldMapTheStatusCodeToTheEnum() {
        Emission e =
                events.plain(log, new StatusChanged(LogDecoderTest.JOB, LogDecoderTest.OWNER, 9));
        JobStatusChanged payload = (JobStatusChanged) ((ChainJobEvent) e.value()).getPayload();
        assertThat(payload.getStatus()).isEqualTo(JobStatus.DECLINED);
        assertThat(EventTypes.of(e)).isEqualTo("JobStatusChanged");
    }
}
