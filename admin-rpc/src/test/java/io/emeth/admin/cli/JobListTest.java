package io.emeth.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.admin.read.Views.JobRow;
import org.junit.jupiter.api.Test;

/** The original joblist line. */
class JobListTest {
    @Test
    void shouldPrintTheOriginalColumns() {
        JobRow row = new JobRow("0x0123456789abcdef0123456789abcdef", 2, 5, 0, 1);
        assertThat(JobList.line(row))
                .isEqualTo(
                        "Assigned job: 0x0123456789abcdef0123456789abcdef , Status: PROCESSING ,"
                                + " Size(MB): 5 , num_attempt: 1");
    }

    @Test
    void shouldNameAnUnknownStatusCode() {
        assertThat(JobList.line(new JobRow("0x" + "0".repeat(32), 42, 0, 0, 3)))
                .contains("Status: UNKNOWN(42)");
    }
}
