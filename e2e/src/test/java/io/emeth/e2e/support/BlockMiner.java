package io.emeth.e2e.support;

import io.emeth.chain.it.ChainFixture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drill's block producer: anvil with automine off, one block per interval mined from here, so
 * that the drill can hold the chain still (a transaction sent but not yet mined) for as long as a
 * kill point needs, and mine a single block on demand.
 */
public final class BlockMiner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlockMiner.class);

    private final ChainFixture chain;
    private final ScheduledExecutorService timer;
    private boolean paused;
    private volatile IOException lastError;

    private BlockMiner(ChainFixture chain) {
        this.chain = chain;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "block-miner");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Turns anvil's automine off and mines a block every {@code interval}. */
    public static BlockMiner start(ChainFixture chain, Duration interval) throws IOException {
        chain.setAutomine(false);
        BlockMiner miner = new BlockMiner(chain);
        miner.timer.scheduleWithFixedDelay(
                miner::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return miner;
    }

    /**
     * No block is mined from when this returns until {@link #resume()}, except by {@link
     * #mineOne()}.
     */
    public synchronized void pause() {
        paused = true;
        log.info("Mining paused [head:{}]", headOrUnknown());
    }

    public synchronized void resume() {
        paused = false;
        log.info("Mining resumed [head:{}]", headOrUnknown());
    }

    /** Mines one block now, paused or not. */
    public synchronized void mineOne() throws IOException {
        chain.mine(1);
    }

    private synchronized void tick() {
        if (paused) {
            return;
        }
        try {
            chain.mine(1);
            lastError = null;
        } catch (IOException e) {
            if (lastError == null) {
                log.warn("Could not mine a block: {}", e.getMessage());
            }
            lastError = e;
        }
    }

    private String headOrUnknown() {
        try {
            return Long.toString(chain.blockNumber());
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
