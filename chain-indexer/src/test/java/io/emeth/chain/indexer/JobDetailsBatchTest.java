package io.emeth.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobIds;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.utils.Numeric;

class JobDetailsBatchTest {
    private static final String CORE = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";

    @Test
    void shouldCallTheReaderWithTheCoreAndTheJobIds() {
        String a = JobIds.random();
        String b = JobIds.random();

        String data = JobDetailsBatch.callData(CORE, List.of(a, b));

        // read(address, bytes16[]): the selector, then core, offset, length 2, a, b
        String args = data.substring(data.length() - 5 * 64);
        assertThat(data).hasSize(2 + 8 + 5 * 64);
        assertThat(JobDetailsBatch.CODE).startsWith("0x").hasSizeGreaterThan(200);
        assertThat(JobDetailsBatch.ADDRESS).matches("0x[0-9a-f]{40}");
        assertThat(args.substring(0, 64)).endsWith(CORE.substring(2));
        assertThat(new BigInteger(args.substring(128, 192), 16)).isEqualTo(2);
        assertThat(args.substring(192, 224)).isEqualTo(Numeric.cleanHexPrefix(a));
        assertThat(args.substring(256, 288)).isEqualTo(Numeric.cleanHexPrefix(b));
    }

    @Test
    void shouldAnswerEachJobsOwnReturnDataDecodableAsJobDetails() throws Exception {
        // Given what jobDetails answers for a job, and a job whose call failed
        String details =
                "0x"
                        + FunctionEncoder.encodeConstructor(
                                List.of(
                                        new Uint256(7),
                                        new Utf8String("{\"epoch\": 2}"),
                                        new Utf8String("corpus-en.txt"),
                                        new Utf8String("")));
        String answer = encode(List.of(true, false), List.of(details, "0x"));

        // When decoded
        List<JobDetailsBatch.Answer> answers = JobDetailsBatch.decode(answer, 2);

        // Then the first is the job's own answer, the second a failure
        assertThat(answers).extracting(JobDetailsBatch.Answer::ok).containsExactly(true, false);
        assertThat(answers).extracting(JobDetailsBatch.Answer::hex).containsExactly(details, "0x");
        EmethCoreReader.Details d = JobDetailsBatch.details(JobIds.random(), answers.get(0));
        assertThat(d.dataset()).isEqualTo("corpus-en.txt");
        assertThat(d.param()).isEqualTo("{\"epoch\": 2}");
        assertThat(d.programId()).isEqualTo(7);
    }

    @Test
    void shouldRefuseAnAnswerThatIsNotTheReaders() {
        String answer = encode(List.of(true), List.of("0x1234"));

        assertThatThrownBy(() -> JobDetailsBatch.decode(answer, 2))
                .isInstanceOf(JobDetailsBatch.MalformedAnswer.class)
                .hasMessageContaining("do not hold 2 answers");
        assertThatThrownBy(
                        () -> JobDetailsBatch.decode(answer.substring(0, answer.length() - 64), 1))
                .isInstanceOf(JobDetailsBatch.MalformedAnswer.class);
        assertThatThrownBy(() -> JobDetailsBatch.decode("0x", 1))
                .isInstanceOf(JobDetailsBatch.MalformedAnswer.class);
        assertThatThrownBy(() -> JobDetailsBatch.decode("0xnothex", 1))
                .isInstanceOf(JobDetailsBatch.MalformedAnswer.class);
        assertThatThrownBy(() -> JobDetailsBatch.decode("0x" + "ff".repeat(64), 1))
                .isInstanceOf(JobDetailsBatch.MalformedAnswer.class);
    }

    @Test
    void shouldDecodeDetailsAsEmethCoreReaderDoes() throws Exception {
        String jobId = JobIds.random();
        for (String hex :
                List.of(
                        details(BigInteger.ZERO, "", "", ""),
                        details(BigInteger.valueOf(7), "{\"ép\": \"ü\"}", "corpus.txt", "r"),
                        details(
                                BigInteger.TWO.pow(255),
                                "x".repeat(1_000),
                                "d",
                                "\u00ffa\u00c3 \u2713"),
                        "0x"
                                + FunctionEncoder.encodeConstructor(
                                        List.of(
                                                new Uint256(1),
                                                new Uint256(128),
                                                new Uint256(160),
                                                new Uint256(160),
                                                new Uint256(0),
                                                new Uint256(0))))) {
            assertThat(
                            JobDetailsBatch.details(
                                    jobId,
                                    new JobDetailsBatch.Answer(
                                            true, Numeric.hexStringToByteArray(hex))))
                    .as(hex)
                    .isEqualTo(EmethCoreReader.decodeDetails(jobId, hex));
        }
    }

    @Test
    void shouldRefuseDetailsThatAreNotFourValuesAsEmethCoreReaderDoes() {
        String jobId = JobIds.random();
        String truncated = details(BigInteger.ONE, "p", "d", "r");
        truncated = truncated.substring(0, truncated.length() - 128);
        for (String hex : List.of("0x", "0x" + "00".repeat(64), truncated)) {
            assertThatThrownBy(
                            () ->
                                    JobDetailsBatch.details(
                                            jobId,
                                            new JobDetailsBatch.Answer(
                                                    true, Numeric.hexStringToByteArray(hex))))
                    .as(hex)
                    .isInstanceOf(EmethCoreReader.CallRefusedException.class);
        }
    }

    private static String details(
            BigInteger programId, String param, String dataset, String result) {
        return "0x"
                + FunctionEncoder.encodeConstructor(
                        List.of(
                                new Uint256(programId),
                                new Utf8String(param),
                                new Utf8String(dataset),
                                new Utf8String(result)));
    }

    /** {@code (bool[] ok, bytes[] answers)}, as the reader's {@code read} returns it. */
    private static String encode(List<Boolean> ok, List<String> answers) {
        return "0x"
                + FunctionEncoder.encodeConstructor(
                        List.of(
                                new DynamicArray<>(Bool.class, ok.stream().map(Bool::new).toList()),
                                new DynamicArray<>(
                                        DynamicBytes.class,
                                        answers.stream()
                                                .map(
                                                        h ->
                                                                new DynamicBytes(
                                                                        Numeric
                                                                                .hexStringToByteArray(
                                                                                        h)))
                                                .toList())));
    }
}
