package io.emeth.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.avro.gateway.ChainAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CommandIdsTest {
    @Test
    void shouldGiveTheSameIdEveryTimeAndTheSha256OfSubjectActionAndNumber() throws Exception {
        // Given a job id; When its ProcessJob id is derived twice, then for another attempt
        String job = "0x" + "ab".repeat(16);
        String first = CommandIds.of(job, ChainAction.PROCESS_JOB, 1);
        String again = CommandIds.of(job, ChainAction.PROCESS_JOB, 1);
        String second = CommandIds.of(job, ChainAction.PROCESS_JOB, 2);

        // Then the same id comes back (the shared digest starts afresh), another for attempt 2
        byte[] digest =
                MessageDigest.getInstance("SHA-256")
                        .digest((job + ":PROCESS_JOB:1").getBytes(StandardCharsets.UTF_8));
        assertThat(first).isEqualTo("0x" + HexFormat.of().formatHex(digest)).isEqualTo(again);
        assertThat(second).isNotEqualTo(first);
    }
}
