package io.emeth.chain.gateway;

import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;

/**
 * The reads the commands of one poll need, as JSON-RPC batches of at most {@value #MAX_BATCH} calls
 * instead of one call each: per job {@code jobs(jobId)} and {@code jobAssigns(jobId)}, and the
 * account's EMT balance, allowance and the latest block's time when asked for. On a loaded node the
 * serial calls cost 300–1,000 ms per wave of ~16 commands; one batch costs one round trip. Gas is
 * not estimated here: a wave estimates it once per call shape ({@link CommandHandler.Wave}), as a
 * batch of estimates costs the node as much per estimate as one at a time.
 *
 * <p>Each answer stands alone: an entry the node answers with an error, or whose value cannot be
 * decoded, is left out of the result (and named in {@link Answers#errors()}), so that its command
 * reads it alone as before and meets the error there; the other entries are used. A batch the node
 * answers as a whole with something that is not one answer per request (not a JSON array, more or
 * fewer entries, a transport failure) is an {@link IOException} naming the endpoint.
 */
final class BatchReads {
    /** Calls per JSON-RPC batch; providers cap batches at 100–1,000. */
    static final int MAX_BATCH = 100;

    /** What the batch answered; an entry that failed is absent and named in {@code errors}. */
    record Answers(
            Map<String, JobState> jobs,
            BigInteger emtBalance,
            BigInteger allowance,
            Long now,
            List<String> errors) {}

    private final EthEndpoint endpoint;
    private final String account;
    private final EmethCore core;
    private final EmethToken token;

    /** {@code core} and {@code token} only encode calldata and decode answers here. */
    BatchReads(EthEndpoint endpoint, String account, EmethCore core, EmethToken token) {
        this.endpoint = endpoint;
        this.account = account;
        this.core = core;
        this.token = token;
    }

    /**
     * Reads the state of {@code jobIds} (normalized ids), and the account's balance, allowance and
     * chain time when {@code accountState}.
     *
     * @throws IOException when a batch as a whole fails or is answered malformed
     */
    Answers read(Collection<String> jobIds, boolean accountState) throws IOException {
        Web3j web3j = endpoint.web3j();
        List<Request<?, ? extends Response<?>>> requests = new ArrayList<>();
        List<Consumer<Response<?>>> decoders = new ArrayList<>();
        Map<String, Object[]> jobParts = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        Object[] account = new Object[3];
        for (String jobId : jobIds) {
            Object[] parts = new Object[2];
            jobParts.put(jobId, parts);
            String jobs = "jobs(" + jobId + ")";
            add(
                    requests,
                    decoders,
                    call(web3j, core.getContractAddress(), EmethCoreReader.jobCallData(jobId)),
                    answer -> {
                        String hex = value(answer, jobs, errors);
                        parts[0] =
                                hex == null
                                        ? null
                                        : decoded(
                                                errors,
                                                () -> EmethCoreReader.decodeJob(jobId, hex));
                    });
            String assigns = "jobAssigns(" + jobId + ")";
            add(
                    requests,
                    decoders,
                    call(
                            web3j,
                            core.getContractAddress(),
                            EmethCoreReader.assignmentCallData(jobId)),
                    answer -> {
                        String hex = value(answer, assigns, errors);
                        parts[1] =
                                hex == null
                                        ? null
                                        : decoded(
                                                errors,
                                                () -> EmethCoreReader.decodeAssignment(jobId, hex));
                    });
        }
        if (accountState) {
            RemoteFunctionCall<?> balance = token.balanceOf(this.account);
            add(
                    requests,
                    decoders,
                    call(web3j, token.getContractAddress(), balance),
                    answer -> {
                        account[0] = uint(decode(balance, answer, "EMT balanceOf", 1, errors));
                    });
            RemoteFunctionCall<?> allowance =
                    token.allowance(this.account, core.getContractAddress());
            add(
                    requests,
                    decoders,
                    call(web3j, token.getContractAddress(), allowance),
                    answer -> {
                        account[1] = uint(decode(allowance, answer, "EMT allowance", 1, errors));
                    });
            add(
                    requests,
                    decoders,
                    web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false),
                    answer -> {
                        EthBlock block = (EthBlock) answer;
                        if (block.hasError() || block.getBlock() == null) {
                            errors.add(
                                    "eth_getBlockByNumber latest: "
                                            + (block.hasError()
                                                    ? block.getError().getMessage()
                                                    : "no block"));
                        } else {
                            account[2] = block.getBlock().getTimestamp().longValueExact();
                        }
                    });
        }
        for (int from = 0; from < requests.size(); from += MAX_BATCH) {
            int to = Math.min(requests.size(), from + MAX_BATCH);
            List<Response<?>> answers = endpoint.batch(requests.subList(from, to));
            for (int i = 0; i < answers.size(); i++) {
                decoders.get(from + i).accept(answers.get(i));
            }
        }
        Map<String, JobState> jobs = new LinkedHashMap<>();
        jobParts.forEach(
                (jobId, parts) -> {
                    if (parts[0] != null && parts[1] != null) {
                        jobs.put(
                                jobId,
                                JobState.of(
                                        (EmethCoreReader.Job) parts[0],
                                        (EmethCoreReader.Assignment) parts[1]));
                    }
                });
        return new Answers(
                jobs,
                (BigInteger) account[0],
                (BigInteger) account[1],
                (Long) account[2],
                List.copyOf(errors));
    }

    private static void add(
            List<Request<?, ? extends Response<?>>> requests,
            List<Consumer<Response<?>>> decoders,
            Request<?, ? extends Response<?>> request,
            Consumer<Response<?>> decoder) {
        requests.add(request);
        decoders.add(decoder);
    }

    private Request<?, EthCall> call(Web3j web3j, String to, RemoteFunctionCall<?> function) {
        return call(web3j, to, function.encodeFunctionCall());
    }

    private Request<?, EthCall> call(Web3j web3j, String to, String data) {
        return web3j.ethCall(
                Transaction.createEthCallTransaction(account, to, data),
                DefaultBlockParameterName.LATEST);
    }

    /** The answer's value, or null (and the error noted) when the node answered an error. */
    private static String value(Response<?> answer, String what, List<String> errors) {
        EthCall call = (EthCall) answer;
        if (call.hasError()) {
            errors.add(
                    what
                            + ": JSON-RPC error "
                            + call.getError().getCode()
                            + ": "
                            + call.getError().getMessage());
            return null;
        }
        return call.getValue();
    }

    /** A decoder's value, or null (and its refusal noted) when the answer does not decode. */
    private static <T> T decoded(List<String> errors, Decoder<T> decoder) {
        try {
            return decoder.decode();
        } catch (EmethCoreReader.CallRefusedException e) {
            errors.add(e.getMessage());
            return null;
        }
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode() throws EmethCoreReader.CallRefusedException;
    }

    /** The decoded values, or null (and the error noted) when the entry failed. */
    @SuppressWarnings("rawtypes")
    private static List<Type> decode(
            RemoteFunctionCall<?> function,
            Response<?> answer,
            String what,
            int outputs,
            List<String> errors) {
        if (((EthCall) answer).hasError()) {
            value(answer, what, errors);
            return null;
        }
        String hex = ((EthCall) answer).getValue();
        try {
            List<Type> out = hex == null ? List.of() : function.decodeFunctionResponse(hex);
            if (out.size() != outputs) {
                errors.add(what + ": answered " + out.size() + " values instead of " + outputs);
                return null;
            }
            return out;
        } catch (RuntimeException e) {
            errors.add(what + ": answer cannot be decoded: " + e);
            return null;
        }
    }

    @SuppressWarnings("rawtypes")
    private static BigInteger uint(List<Type> out) {
        return out == null ? null : (BigInteger) out.get(0).getValue();
    }
}
