package io.emeth.chain.indexer;

import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.chain.rpc.RpcException;
import io.emeth.contracts.EmethCoreReader;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The JSON-RPC reads of the indexer: block headers, the contract's logs over a range, and {@code
 * jobDetails} for many jobs at once. Related calls go out as one JSON-RPC batch (chunked), which is
 * what makes a backfill of thousands of jobs fast.
 */
final class ChainReader {
    /** Requests per JSON-RPC batch; providers cap batches at 100-1000. */
    static final int BATCH = 100;

    /** Batches in flight at once during a backfill. */
    static final int PARALLEL = 4;

    private final EthEndpoint endpoint;
    private final String contract;
    private final ExecutorService pool;

    /** {@code pool} runs the parallel batches; the caller owns it. */
    ChainReader(EthEndpoint endpoint, String contract, ExecutorService pool) {
        this.endpoint = endpoint;
        this.contract = contract;
        this.pool = pool;
    }

    BlockHeader latest() throws IOException {
        return header(DefaultBlockParameterName.LATEST, "latest");
    }

    BlockHeader header(long number) throws IOException {
        return header(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), "#" + number);
    }

    /** The headers of {@code numbers}, in that order, fetched in parallel batches. */
    List<BlockHeader> headers(List<Long> numbers) throws IOException, InterruptedException {
        return parallel(numbers, this::headersBatch);
    }

    private List<BlockHeader> headersBatch(List<Long> numbers) throws IOException {
        List<Request<?, ? extends Response<?>>> requests = new ArrayList<>();
        for (long n : numbers) {
            requests.add(
                    endpoint.web3j()
                            .ethGetBlockByNumber(
                                    DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), false));
        }
        List<Response<?>> answers = endpoint.batch(requests);
        List<BlockHeader> headers = new ArrayList<>(numbers.size());
        for (int j = 0; j < answers.size(); j++) {
            headers.add(toHeader((EthBlock) answers.get(j), "#" + numbers.get(j)));
        }
        return headers;
    }

    /** The headers of the blocks {@code from..to}, ascending. */
    List<BlockHeader> headers(long from, long to) throws IOException, InterruptedException {
        List<Long> numbers = new ArrayList<>();
        for (long n = from; n <= to; n++) {
            numbers.add(n);
        }
        return headers(numbers);
    }

    /**
     * The contract's logs in blocks {@code from..to}, in chain order.
     *
     * @throws IOException an {@link RpcException} when the node refuses the range (see {@link
     *     RangeSizer#isRangeLimit})
     */
    List<ChainLog> logs(long from, long to) throws IOException {
        EthFilter filter =
                new EthFilter(
                        DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                        DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
                        contract);
        EthLog answer = endpoint.web3j().ethGetLogs(filter).send();
        List<?> results = RpcException.result(answer, "eth_getLogs " + from + ".." + to);
        List<ChainLog> logs = new ArrayList<>(results.size());
        for (Object result : results) {
            if (!(result instanceof EthLog.LogResult<?> r) || !(r.get() instanceof Log log)) {
                throw new IOException(
                        "eth_getLogs " + from + ".." + to + " answered filter ids instead of logs");
            }
            logs.add(ChainLog.of(log));
        }
        logs.sort(ChainLog::compare);
        return logs;
    }

    /**
     * {@code jobDetails(jobId)} of every job at the latest block (details never change after the
     * request, and old state may be pruned), in parallel batches.
     */
    Map<String, JobDetails> jobDetails(Collection<String> jobIds)
            throws IOException, InterruptedException {
        List<String> ids = List.copyOf(jobIds);
        List<JobDetails> answers = parallel(ids, this::jobDetailsBatch);
        Map<String, JobDetails> details = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            details.put(ids.get(i), answers.get(i));
        }
        return details;
    }

    /** One JSON-RPC call of a batch of items, answering one result per item, in order. */
    @FunctionalInterface
    private interface BatchCall<I, O> {
        List<O> apply(List<I> chunk) throws IOException;
    }

    /** {@code call} over chunks of {@value #BATCH} items, {@value #PARALLEL} chunks at a time. */
    private <I, O> List<O> parallel(List<I> items, BatchCall<I, O> call)
            throws IOException, InterruptedException {
        List<Future<List<O>>> chunks = new ArrayList<>();
        for (int i = 0; i < items.size(); i += BATCH) {
            List<I> chunk = items.subList(i, Math.min(items.size(), i + BATCH));
            chunks.add(pool.submit(() -> call.apply(chunk)));
        }
        List<O> out = new ArrayList<>(items.size());
        try {
            for (Future<List<O>> chunk : chunks) {
                out.addAll(chunk.get());
            }
        } catch (ExecutionException e) {
            chunks.forEach(c -> c.cancel(true));
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("batched JSON-RPC call failed: " + e.getCause(), e.getCause());
        }
        return out;
    }

    private List<JobDetails> jobDetailsBatch(List<String> chunk) throws IOException {
        List<Request<?, ? extends Response<?>>> requests = new ArrayList<>();
        for (String jobId : chunk) {
            requests.add(
                    endpoint.web3j()
                            .ethCall(
                                    Transaction.createEthCallTransaction(
                                            null,
                                            contract,
                                            EmethCoreReader.jobDetailsCallData(jobId)),
                                    DefaultBlockParameterName.LATEST));
        }
        List<Response<?>> answers = endpoint.batch(requests);
        List<JobDetails> details = new ArrayList<>(chunk.size());
        for (int j = 0; j < chunk.size(); j++) {
            details.add(decodeDetails(chunk.get(j), (EthCall) answers.get(j)));
        }
        return details;
    }

    private BlockHeader header(DefaultBlockParameter block, String label) throws IOException {
        return toHeader(endpoint.web3j().ethGetBlockByNumber(block, false).send(), label);
    }

    private static BlockHeader toHeader(EthBlock answer, String label) throws IOException {
        EthBlock.Block block = RpcException.result(answer, "eth_getBlockByNumber " + label);
        if (block.getHash() == null || block.getParentHash() == null || block.getNumber() == null) {
            throw new IOException("block " + label + " has no hash or number (a pending block?)");
        }
        return new BlockHeader(
                block.getNumber().longValueExact(),
                block.getHash(),
                block.getParentHash(),
                block.getTimestamp().min(BigInteger.valueOf(LogDecoder.MAX_SECONDS)).longValue());
    }

    private static JobDetails decodeDetails(String jobId, EthCall answer) throws IOException {
        String value = RpcException.result(answer, "jobDetails(" + jobId + ")");
        EmethCoreReader.Details details = EmethCoreReader.decodeDetails(jobId, value);
        return new JobDetails(details.programId(), details.param(), details.dataset());
    }
}
