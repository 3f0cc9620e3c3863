package io.emeth.e2e.bench;

import io.emeth.contracts.JobIds;
import io.emeth.contracts.JobStatus;
import io.emeth.contracts.generated.EmethCore;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The load drill's stopwatch on the chain itself, independent of the node: polls EmethCore's logs
 * every {@value #POLL_MS} ms and notes, per job, the wall-clock time its {@code Request} log and
 * its {@code Status} PROCESSING and SUBMITTED logs by the node were first seen in a mined block.
 * Both ends of a latency are taken the same way, so the polling error (≤ {@value #POLL_MS} ms) does
 * not bias it.
 */
final class ChainWatch implements AutoCloseable {
    static final long POLL_MS = 50;
    private static final Logger log = LoggerFactory.getLogger(ChainWatch.class);
    private static final String REQUEST = EventEncoder.encode(EmethCore.REQUEST_EVENT);
    private static final String STATUS = EventEncoder.encode(EmethCore.STATUS_EVENT);
    private static final long MAX_RANGE = 2_000;

    final Map<String, Long> requested = new ConcurrentHashMap<>();
    final Map<String, Long> processing = new ConcurrentHashMap<>();
    final Map<String, Long> submitted = new ConcurrentHashMap<>();

    private final Web3j web3j;
    private final String core;
    private final String node;
    private final Thread thread;
    private volatile boolean running = true;
    private long nextBlock;

    /** Watches {@code core} from block {@code fromBlock} on; {@code node} is the master account. */
    ChainWatch(Web3j web3j, String core, String node, long fromBlock) {
        this.web3j = web3j;
        this.core = core;
        this.node = node;
        this.nextBlock = fromBlock;
        this.thread = new Thread(this::run, "chain-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                pollOnce();
                Thread.sleep(POLL_MS); // polling the chain; there is no push over http
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("Reading EmethCore logs failed, retrying [fromBlock:{}]", nextBlock, e);
            }
        }
    }

    private void pollOnce() throws IOException {
        long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
        while (nextBlock <= head) {
            long to = Math.min(head, nextBlock + MAX_RANGE - 1);
            EthFilter filter =
                    new EthFilter(
                            DefaultBlockParameter.valueOf(BigInteger.valueOf(nextBlock)),
                            DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
                            core);
            EthLog answer = web3j.ethGetLogs(filter).send();
            if (answer.hasError()) {
                throw new IOException(
                        "eth_getLogs "
                                + nextBlock
                                + ".."
                                + to
                                + ": "
                                + answer.getError().getMessage());
            }
            long seen = System.currentTimeMillis();
            List<EthLog.LogResult> logs = answer.getLogs();
            for (EthLog.LogResult<?> result : logs) {
                note((Log) result.get(), seen);
            }
            nextBlock = to + 1;
        }
    }

    private void note(Log entry, long seen) {
        if (entry.getTopics().isEmpty()) {
            return;
        }
        String topic = entry.getTopics().get(0);
        if (REQUEST.equalsIgnoreCase(topic)) {
            requested.putIfAbsent(
                    JobIds.toHex(EmethCore.getRequestEventFromLog(entry).jobId), seen);
        } else if (STATUS.equalsIgnoreCase(topic)) {
            EmethCore.StatusEventResponse status = EmethCore.getStatusEventFromLog(entry);
            if (!node.equalsIgnoreCase(status.nodeAddress)) {
                return;
            }
            String jobId = JobIds.toHex(status.jobId);
            int code = status.status.intValueExact();
            if (code == JobStatus.PROCESSING.code()) {
                processing.putIfAbsent(jobId, seen);
            } else if (code == JobStatus.SUBMITTED.code()) {
                submitted.putIfAbsent(jobId, seen);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
