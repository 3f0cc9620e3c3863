package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class JobDetailsTest {
    static final String JOB = "0x0123456789abcdef0123456789abcdef";

    static JobDetails details(String param, String dataset) {
        return new JobDetails(BigInteger.ZERO, param, dataset);
    }

    @Test
    void shouldAcceptAJsonObjectParam() {
        assertThat(details("{\"language\": \"ja\", \"epoch\": 2}", "wiki-ja").problem(JOB))
                .isEmpty();
    }

    @Test
    void shouldRejectAParamThatIsNotJsonQuotingIt() {
        assertThat(details("epoch=2", "d").problem(JOB))
                .hasValueSatisfying(p -> assertThat(p).contains(JOB, "not JSON", "epoch=2"));
        assertThat(details("{\"epoch\": 2} trailing", "d").problem(JOB)).isPresent();
        assertThat(details("", "d").problem(JOB)).isPresent();
    }

    @Test
    void shouldRejectJsonThatIsNotAnObject() {
        assertThat(details("[1, 2]", "d").problem(JOB))
                .hasValueSatisfying(p -> assertThat(p).contains("not a JSON object"));
        assertThat(details("42", "d").problem(JOB)).isPresent();
    }

    @Test
    void shouldRejectHostileParams() {
        String deep = "{\"a\":".repeat(1_000) + "1" + "}".repeat(1_000);
        String huge = "{\"x\": \"" + "y".repeat(JobDetails.MAX_PARAM_BYTES) + "\"}";
        String duplicate = "{\"epoch\": 1, \"epoch\": 2}";

        assertThat(details(deep, "d").problem(JOB)).isPresent();
        assertThat(details(huge, "d").problem(JOB))
                .hasValueSatisfying(p -> assertThat(p).contains("bytes, more than"));
        assertThat(details(duplicate, "d").problem(JOB)).isPresent();
    }

    @Test
    void shouldRejectUnusableDatasetNames() {
        assertThat(details("{}", "").problem(JOB))
                .hasValueSatisfying(p -> assertThat(p).contains("not on the chain any more"));
        assertThat(details("{}", "a\nb").problem(JOB))
                .hasValueSatisfying(p -> assertThat(p).contains("\\u000a"));
        assertThat(details("{}", "d".repeat(257)).problem(JOB)).isPresent();
    }

    @Test
    void shouldRejectAProgramIdBeyondALong() {
        JobDetails d = new JobDetails(BigInteger.TWO.pow(64), "{}", "d");
        assertThat(d.problem(JOB)).hasValueSatisfying(p -> assertThat(p).contains("programId"));
    }
}
