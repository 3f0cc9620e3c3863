package io.emeth.chain.indexer;

import io.emeth.schemas.avro.ChainPosition;
import io.emeth.schemas.avro.chain.RawLog;
import java.math.BigInteger;
import java.util.List;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * A log as {@code eth_getLogs} answered it, with its position made plain. Fields the node left out
 * or garbled become {@code -1} or {@code ""}, so that even a broken log can be reported raw. {@code
 * blockTimestamp} is the block's time in seconds when the node sends it with the log (anvil, geth
 * 1.16 and later), else {@code -1}: then the block's header has it.
 */
record ChainLog(
        String address,
        List<String> topics,
        String data,
        long blockNumber,
        String blockHash,
        String txHash,
        int logIndex,
        boolean removed,
        long blockTimestamp) {

    /** A log without its block's timestamp. */
    ChainLog(
            String address,
            List<String> topics,
            String data,
            long blockNumber,
            String blockHash,
            String txHash,
            int logIndex,
            boolean removed) {
        this(address, topics, data, blockNumber, blockHash, txHash, logIndex, removed, -1);
    }

    ChainLog {
        address = address == null ? "" : address;
        topics = topics == null ? List.of() : List.copyOf(topics);
        data = data == null ? "" : data;
        blockHash = blockHash == null ? "" : Hex.lower(blockHash);
        txHash = txHash == null ? "" : Hex.lower(txHash);
    }

    static ChainLog of(Log log) {
        return of(log, null);
    }

    /** {@code log} with the {@code blockTimestamp} the node sent with it (a quantity, or null). */
    static ChainLog of(Log log, String blockTimestamp) {
        long timestamp = quantity(blockTimestamp);
        return new ChainLog(
                log.getAddress(),
                log.getTopics() == null
                        ? List.of()
                        : log.getTopics().stream().map(t -> t == null ? "" : t).toList(),
                log.getData(),
                quantity(log.getBlockNumberRaw()),
                log.getBlockHash(),
                log.getTransactionHash(),
                (int) Math.min(Integer.MAX_VALUE, quantity(log.getLogIndexRaw())),
                log.isRemoved(),
                timestamp < 0 ? -1 : Math.min(timestamp, LogDecoder.MAX_SECONDS));
    }

    /** Whether the position is complete (a pending log has none). */
    boolean positioned() {
        return blockNumber >= 0 && Hex.isWord(blockHash) && Hex.isWord(txHash) && logIndex >= 0;
    }

    ChainPosition position() {
        return ChainPosition.newBuilder()
                .setBlockNumber(blockNumber)
                .setBlockHash(blockHash)
                .setTxHash(txHash)
                .setLogIndex(logIndex)
                .build();
    }

    RawLog raw() {
        return RawLog.newBuilder()
                .setAddress(address)
                .setTopics(topics)
                .setData(data)
                .setPosition(position())
                .build();
    }

    /** Chain order: by block, then by index in the block. */
    static int compare(ChainLog a, ChainLog b) {
        int byBlock = Long.compare(a.blockNumber, b.blockNumber);
        return byBlock != 0 ? byBlock : Integer.compare(a.logIndex, b.logIndex);
    }

    private static long quantity(String raw) {
        if (raw == null) {
            return -1;
        }
        if (raw.length() > 2 && raw.length() <= 17 && raw.startsWith("0x") && Hex.digits(raw, 2)) {
            return Long.parseLong(raw, 2, raw.length(), 16); // the common case, without a regex
        }
        try {
            BigInteger value = Numeric.decodeQuantity(raw);
            return value.bitLength() < 63 ? value.longValue() : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
