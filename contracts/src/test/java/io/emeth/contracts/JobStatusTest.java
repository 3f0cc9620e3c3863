package io.emeth.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class JobStatusTest {

    @Test
    void shouldMapEveryContractCodeToItsName() {
        // The codes are the contract's interface: pin every one
        assertThat(JobStatus.fromCode(0)).isEqualTo(JobStatus.REQUESTED);
        assertThat(JobStatus.fromCode(1)).isEqualTo(JobStatus.ASSIGNED);
        assertThat(JobStatus.fromCode(2)).isEqualTo(JobStatus.PROCESSING);
        assertThat(JobStatus.fromCode(3)).isEqualTo(JobStatus.SUBMITTED);
        assertThat(JobStatus.fromCode(4)).isEqualTo(JobStatus.VERIFIED);
        assertThat(JobStatus.fromCode(5)).isEqualTo(JobStatus.REJECTED);
        assertThat(JobStatus.fromCode(6)).isEqualTo(JobStatus.CANCELED);
        assertThat(JobStatus.fromCode(7)).isEqualTo(JobStatus.TIMEOUT);
        assertThat(JobStatus.fromCode(8)).isEqualTo(JobStatus.FAILED);
        assertThat(JobStatus.fromCode(9)).isEqualTo(JobStatus.DECLINED);
        for (JobStatus status : JobStatus.values()) {
            assertThat(JobStatus.fromCode(BigInteger.valueOf(status.code()))).isEqualTo(status);
        }
    }

    @Test
    void shouldRejectUnknownCodesNamingThem() {
        assertThatThrownBy(() -> JobStatus.fromCode(10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown job status code 10");
        assertThatThrownBy(() -> JobStatus.fromCode(-1)).hasMessageContaining("code -1");
        BigInteger huge = BigInteger.TWO.pow(255);
        assertThatThrownBy(() -> JobStatus.fromCode(huge)).hasMessageContaining(huge.toString());
        assertThatThrownBy(() -> JobStatus.fromCode((BigInteger) null))
                .hasMessageContaining("null");
    }

    @Test
    void shouldTreatOnlySettledStatusesAsFinal() {
        assertThat(JobStatus.REQUESTED.isFinal()).isFalse();
        assertThat(JobStatus.PROCESSING.isFinal()).isFalse();
        assertThat(JobStatus.SUBMITTED.isFinal()).isFalse();
        assertThat(JobStatus.VERIFIED.isFinal()).isTrue();
        assertThat(JobStatus.DECLINED.isFinal()).isTrue();
        assertThat(JobStatus.CANCELED.isFinal()).isTrue();
    }
}
