package io.emeth.chain.indexer;

import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobIds;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes16;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * {@code jobDetails} of many jobs in one {@code eth_call}: the call and the decoding of the answer
 * of the reader {@code src/main/solidity/JobDetailsBatch.sol}, which is never deployed: the call
 * places its runtime code (compiled at build time) at {@link #ADDRESS} by a state override. Each
 * job's answer is the exact return data of its own {@code jobDetails(jobId)} call on EmethCore, so
 * it is decoded by the same {@code EmethCoreReader.decodeDetails} as a single call's. Pure.
 */
final class JobDetailsBatch {
    /** The runtime code's resource, written by the build (contracts' compile.js). */
    static final String RESOURCE = "JobDetailsBatch.runtime.bin";

    /** Where the call places the reader: an address no one holds the key or code of. */
    static final String ADDRESS =
            "0x" + Hash.sha3String("emeth.indexer.JobDetailsBatch").substring(2 + 24);

    /** The reader's runtime code, 0x-prefixed, for the state override. */
    static final String CODE = "0x" + load();

    /** One job's answer: whether its {@code jobDetails} call succeeded, and what it returned. */
    record Answer(boolean ok, byte[] returnData) {
        /** The return data as an {@code eth_call} answers it (0x-prefixed hex). */
        String hex() {
            return Numeric.toHexString(returnData);
        }
    }

    /** An answer that is not the reader's encoding: the node did not run it as expected. */
    static final class MalformedAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedAnswer(String message) {
            super(message);
        }
    }

    private JobDetailsBatch() {}

    /** The data of the {@code eth_call} of {@code read(core, jobIds)} at {@link #ADDRESS}. */
    static String callData(String core, List<String> jobIds) {
        List<Bytes16> ids = new ArrayList<>(jobIds.size());
        for (String jobId : jobIds) {
            ids.add(new Bytes16(JobIds.toBytes(jobId)));
        }
        return FunctionEncoder.encode(
                new Function(
                        "read",
                        List.of(new Address(core), new DynamicArray<>(Bytes16.class, ids)),
                        List.of()));
    }

    /**
     * Decodes what {@code read} returns, {@code (bool[] ok, bytes[] answers)}, for {@code n} jobs.
     *
     * @throws MalformedAnswer when the answer is not that encoding for {@code n} jobs (a node that
     *     ignored the state override and ran no code, or answered something else)
     */
    static List<Answer> decode(String hex, int n) throws MalformedAnswer {
        byte[] data;
        try {
            data = hex == null ? new byte[0] : Hex.bytes(hex);
        } catch (RuntimeException e) {
            throw new MalformedAnswer("JobDetailsBatch answered no hex: " + e.getMessage());
        }
        if (data.length == 0) {
            throw new MalformedAnswer(
                    "JobDetailsBatch answered no data (a node that ignores state overrides?)");
        }
        Words w = new Words(data);
        int okAt = w.offset(0, 0);
        int answersAt = w.offset(32, 0);
        if (w.count(okAt) != n || w.count(answersAt) != n) {
            throw new MalformedAnswer(
                    "JobDetailsBatch answered "
                            + data.length
                            + " bytes that do not hold "
                            + n
                            + " answers");
        }
        List<Answer> answers = new ArrayList<>(n);
        int heads = answersAt + 32; // offsets of the bytes elements count from here
        for (int i = 0; i < n; i++) {
            BigInteger flag = w.word(okAt + 32 + 32 * i);
            if (flag.signum() != 0 && !flag.equals(BigInteger.ONE)) {
                throw new MalformedAnswer("JobDetailsBatch answered a bool of " + flag);
            }
            int at = w.offset(heads + 32 * i, heads);
            int length = w.count(at);
            answers.add(new Answer(flag.signum() != 0, w.slice(at + 32, length)));
        }
        return answers;
    }

    /**
     * The details in a job's answer: decoded here when the answer is a well-formed {@code (uint256,
     * string, string, string)} (web3j's generic decoder costs more than the rest of a request's
     * indexing), else by {@link EmethCoreReader#decodeDetails}, which gives the same values or the
     * same refusal as for a single call.
     */
    static EmethCoreReader.Details details(String jobId, Answer answer)
            throws EmethCoreReader.CallRefusedException {
        try {
            Words w = new Words(answer.returnData());
            return new EmethCoreReader.Details(w.word(0), w.string(32), w.string(64), w.string(96));
        } catch (MalformedAnswer | RuntimeException e) {
            return EmethCoreReader.decodeDetails(jobId, answer.hex());
        }
    }

    /** Bounds-checked reads of 32-byte ABI words. */
    private record Words(byte[] data) {
        BigInteger word(int at) throws MalformedAnswer {
            if (at < 0 || at > data.length - 32) {
                throw new MalformedAnswer(
                        "JobDetailsBatch answer of " + data.length + " bytes ends before " + at);
            }
            return new BigInteger(1, Arrays.copyOfRange(data, at, at + 32));
        }

        /** The word at {@code at} as an offset from {@code base}, checked to lie in the data. */
        int offset(int at, int base) throws MalformedAnswer {
            BigInteger value = word(at);
            if (value.compareTo(BigInteger.valueOf(data.length - base)) > 0) {
                throw new MalformedAnswer("JobDetailsBatch answer has an offset past its end");
            }
            return base + value.intValueExact();
        }

        /** The length word at {@code at}, checked to fit in the data. */
        int count(int at) throws MalformedAnswer {
            BigInteger value = word(at);
            if (value.compareTo(BigInteger.valueOf(data.length)) > 0) {
                throw new MalformedAnswer("JobDetailsBatch answer has a length past its end");
            }
            return value.intValueExact();
        }

        /** The string whose offset (from the start) is the word at {@code at}. */
        String string(int at) throws MalformedAnswer {
            int start = offset(at, 0);
            return new String(slice(start + 32, count(start)), StandardCharsets.UTF_8);
        }

        byte[] slice(int at, int length) throws MalformedAnswer {
            if (at + length > data.length) {
                throw new MalformedAnswer("JobDetailsBatch answer ends inside a job's answer");
            }
            return Arrays.copyOfRange(data, at, at + length);
        }
    }

    private static String load() {
        try (InputStream in = JobDetailsBatch.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        RESOURCE
                                + " is not on the class path: the chain-indexer build compiles"
                                + " src/main/solidity/JobDetailsBatch.sol into it (node and npm"
                                + " needed, as for the contracts module)");
            }
            String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            return Numeric.cleanHexPrefix(hex);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
