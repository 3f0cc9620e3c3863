package io.emeth.chain.indexer;

import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.chain.rpc.RpcException;
import io.emeth.contracts.EmethCoreReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
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

    /**
     * Jobs per {@link JobDetailsBatch} call: about 6M gas (well under the 30M-50M that nodes allow
     * an {@code eth_call}) for details of ordinary size.
     */
    static final int JOBS_PER_CALL = 250;

    private static final Logger log = LoggerFactory.getLogger(ChainReader.class);

    private final EthEndpoint endpoint;
    private final String contract;
    private final ExecutorService pool;
    private final AtomicReference<BatchReads> batchReads;

    /** {@code pool} runs the parallel batches; the caller owns it. */
    ChainReader(EthEndpoint endpoint, String contract, ExecutorService pool) {
        this.endpoint = endpoint;
        this.contract = contract;
        this.pool = pool;
        this.batchReads = new AtomicReference<>(BatchReads.UNTRIED);
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
        TimedLogs answer;
        try {
            answer =
                    new Request<>(
                                    "eth_getLogs",
                                    List.of(filter),
                                    endpoint.service(),
                                    TimedLogs.class)
                            .send();
        } catch (InterruptedIOException e) {
            throw e; // a timeout: RangeSizer takes it for a range too large
        } catch (IOException | RuntimeException e) {
            // an answer that is not a list of logs (web3j's decoding fails): name the range
            throw new IOException(
                    "eth_getLogs " + from + ".." + to + " answered no list of logs: " + e, e);
        }
        List<TimedLog> results = RpcException.result(answer, "eth_getLogs " + from + ".." + to);
        List<ChainLog> logs = new ArrayList<>(results.size());
        for (TimedLog log : results) {
            if (log == null) {
                throw new IOException("eth_getLogs " + from + ".." + to + " answered a null log");
            }
            logs.add(ChainLog.of(log, log.getBlockTimestamp()));
        }
        logs.sort(ChainLog::compare);
        return logs;
    }

    /**
     * A log as {@code eth_getLogs} answers it, with the {@code blockTimestamp} that newer nodes add
     * (web3j's {@link Log} drops it). A filter id instead of a log fails the decoding.
     */
    public static final class TimedLog extends Log {
        private String blockTimestamp;

        public String getBlockTimestamp() {
            return blockTimestamp;
        }

        public void setBlockTimestamp(String blockTimestamp) {
            this.blockTimestamp = blockTimestamp;
        }
    }

    /** The answer of {@code eth_getLogs} with {@link TimedLog}s. */
    public static final class TimedLogs extends Response<List<TimedLog>> {}

    /**
     * {@code jobDetails(jobId)} of every job at the latest block (details never change after the
     * request, and old state may be pruned), in parallel calls: {@value #JOBS_PER_CALL} jobs per
     * {@code eth_call} of {@link JobDetailsBatch}, or, on a node that refuses that call, one {@code
     * eth_call} per job in JSON-RPC batches.
     */
    Map<String, JobDetails> jobDetails(Collection<String> jobIds)
            throws IOException, InterruptedException {
        List<String> ids = List.copyOf(jobIds);
        List<JobDetails> answers =
                batchReads.get() != BatchReads.REFUSED
                        ? parallel(ids, JOBS_PER_CALL, this::jobDetailsInOneCall)
                        : parallel(ids, BATCH, this::jobDetailsBatch);
        Map<String, JobDetails> details = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            details.put(ids.get(i), answers.get(i));
        }
        return details;
    }

    /** Whether the node answers {@link JobDetailsBatch} calls (for the logs and the tests). */
    enum BatchReads {
        /** Not tried yet. */
        UNTRIED,
        /** Answered at least once: a later failure is that batch's, redone job by job. */
        ANSWERED,
        /** Refused before ever answering: one call per job from now on. */
        REFUSED
    }

    BatchReads batchReads() {
        return batchReads.get();
    }

    /**
     * {@code jobDetails} of {@code chunk} in one {@code eth_call} of {@link JobDetailsBatch}. A
     * JSON-RPC error or an answer that is not the reader's (a node without state overrides, a gas
     * cap, a job whose details are too large for one call's memory) is redone with one call per
     * job; when the node never answered one, it is not asked again. A transport failure is thrown
     * as it is.
     */
    private List<JobDetails> jobDetailsInOneCall(List<String> chunk) throws IOException {
        List<EmethCoreReader.Details> decoded;
        try {
            // eth_call(tx, "latest", {reader: {code}}): the third parameter is the state override
            EthCall answer =
                    new Request<>(
                                    "eth_call",
                                    List.of(
                                            Transaction.createEthCallTransaction(
                                                    null,
                                                    JobDetailsBatch.ADDRESS,
                                                    JobDetailsBatch.callData(contract, chunk)),
                                            DefaultBlockParameterName.LATEST.getValue(),
                                            Map.of(
                                                    JobDetailsBatch.ADDRESS,
                                                    Map.of("code", JobDetailsBatch.CODE))),
                                    endpoint.service(),
                                    EthCall.class)
                            .send();
            String value =
                    RpcException.result(answer, "JobDetailsBatch of " + chunk.size() + " jobs");
            List<JobDetailsBatch.Answer> answers = JobDetailsBatch.decode(value, chunk.size());
            decoded = new ArrayList<>(chunk.size());
            for (int j = 0; j < chunk.size(); j++) {
                JobDetailsBatch.Answer a = answers.get(j);
                if (!a.ok()) {
                    throw new RpcException(
                            "jobDetails(" + chunk.get(j) + ")", 3, "execution reverted", null);
                }
                decoded.add(JobDetailsBatch.details(chunk.get(j), a));
            }
        } catch (RpcException
                | EmethCoreReader.CallRefusedException
                | JobDetailsBatch.MalformedAnswer e) {
            return jobDetailsAfterRefusal(chunk, e);
        }
        if (batchReads.compareAndSet(BatchReads.UNTRIED, BatchReads.ANSWERED)) {
            log.info(
                    "Reading jobDetails {} jobs per eth_call [node:{}, contract:{}]",
                    JOBS_PER_CALL,
                    endpoint.redacted(),
                    contract);
        }
        List<JobDetails> details = new ArrayList<>(chunk.size());
        for (EmethCoreReader.Details d : decoded) {
            details.add(new JobDetails(d.programId(), d.param(), d.dataset()));
        }
        return details;
    }

    /**
     * Redoes {@code chunk} one call per job after its batch call failed with {@code e}; only when
     * that works was the batch call at fault, and a node that never answered one is not asked
     * again.
     */
    private List<JobDetails> jobDetailsAfterRefusal(List<String> chunk, IOException e)
            throws IOException {
        List<JobDetails> details = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i += BATCH) {
            details.addAll(jobDetailsBatch(chunk.subList(i, Math.min(chunk.size(), i + BATCH))));
        }
        if (batchReads.compareAndSet(BatchReads.UNTRIED, BatchReads.REFUSED)) {
            log.warn(
                    "Node refused jobDetails of many jobs in one eth_call, reading one call per"
                            + " job from now on [node:{}, contract:{}, error:{}]",
                    endpoint.redacted(),
                    contract,
                    e.getMessage());
        } else {
            log.info(
                    "jobDetails of {} jobs in one eth_call failed, read them one call per job"
                            + " [firstJob:{}, error:{}]",
                    chunk.size(),
                    chunk.get(0),
                    e.getMessage());
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
        return parallel(items, BATCH, call);
    }

    /** {@code call} over chunks of {@code size} items, on the pool ({@value #PARALLEL} threads). */
    private <I, O> List<O> parallel(List<I> items, int size, BatchCall<I, O> call)
            throws IOException, InterruptedException {
        List<Future<List<O>>> chunks = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            List<I> chunk = items.subList(i, Math.min(items.size(), i + size));
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
