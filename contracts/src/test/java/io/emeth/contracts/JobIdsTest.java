package io.emeth.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobIdsTest {
    private static final String ID = "0x0123456789abcdef0123456789abcdef";

    @Test
    void shouldRoundTripCanonicalJobId() {
        // Given a canonical job id
        // When it is converted to bytes16 and back
        byte[] bytes = JobIds.toBytes(ID);
        // Then the same text comes back
        assertThat(bytes).hasSize(16);
        assertThat(bytes[0]).isEqualTo((byte) 0x01);
        assertThat(JobIds.toHex(bytes)).isEqualTo(ID);
    }

    @Test
    void shouldNormalizeUpperCaseAndSurroundingSpace() {
        assertThat(JobIds.normalize("  0X0123456789ABCDEF0123456789ABCDEF\n")).isEqualTo(ID);
    }

    @Test
    void shouldRejectJobIdWithoutPrefix() {
        assertThatThrownBy(() -> JobIds.toBytes("0123456789abcdef0123456789abcdef"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'0123456789abcdef0123456789abcdef'")
                .hasMessageContaining("missing 0x prefix");
    }

    @Test
    void shouldRejectJobIdOfWrongLength() {
        assertThatThrownBy(() -> JobIds.toBytes("0x0123"))
                .hasMessageContaining("'0x0123'")
                .hasMessageContaining("4 hex digits instead of 32");
        assertThatThrownBy(() -> JobIds.toBytes(ID + "00"))
                .hasMessageContaining("34 hex digits instead of 32");
        assertThatThrownBy(() -> JobIds.toBytes("0x")).hasMessageContaining("0 hex digits");
    }

    @Test
    void shouldRejectNonHexCharactersIncludingNonAsciiDigits() {
        assertThatThrownBy(() -> JobIds.toBytes("0x0123456789abcdef0123456789abcdeg"))
                .hasMessageContaining("non-hex character at position 33");
        // U+0663 is a digit to Character.digit but not a hex digit of a job id
        assertThatThrownBy(() -> JobIds.toBytes("0x\u0663123456789abcdef0123456789abcdef"))
                .hasMessageContaining("non-hex character at position 2");
        assertThatThrownBy(() -> JobIds.toBytes("0x0123456789abcdef0123456789abc;--"))
                .hasMessageContaining("non-hex character");
    }

    @Test
    void shouldRejectNullAndEmptyJobId() {
        assertThatThrownBy(() -> JobIds.toBytes(null)).hasMessageContaining("job id is null");
        assertThatThrownBy(() -> JobIds.toBytes("")).hasMessageContaining("missing 0x prefix");
    }

    @Test
    void shouldTruncateOversizedJobIdInTheErrorMessage() {
        // Given a megabyte of input
        String huge = "0x" + "a".repeat(1_000_000);
        // When it is parsed, Then the error names the input without echoing all of it
        assertThatThrownBy(() -> JobIds.toBytes(huge))
                .hasMessageContaining("(1000002 chars)")
                .hasMessageContaining("1000000 hex digits instead of 32")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
    }

    @Test
    void shouldRejectBytesOfWrongLength() {
        assertThatThrownBy(() -> JobIds.toHex(new byte[15]))
                .hasMessageContaining("must be 16 bytes, got 15 bytes");
        assertThatThrownBy(() -> JobIds.toHex(null)).hasMessageContaining("got null");
    }

    @Test
    void shouldCreateDistinctValidRandomJobIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String id = JobIds.random();
            assertThat(JobIds.normalize(id)).isEqualTo(id);
            ids.add(id);
        }
        assertThat(ids).hasSize(100);
    }
}
