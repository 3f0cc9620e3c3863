package io.emeth.admin;

import io.emeth.admin.commands.CommandPublisher;
import io.emeth.admin.db.Database;
import io.emeth.admin.rewards.RewardWithdrawal;
import io.emeth.admin.sink.JdbcSink;
import io.emeth.admin.sink.SinkSettings;
import io.emeth.common.config.MasterConfig;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of admin-rpc that need Kafka or the chain: the command publisher, the JDBC sink and the
 * withdrawal's chain reader. {@link AdminRpc} opens them on a thread of their own while it starts
 * HTTP, so that a restarted admin-rpc answers reads as soon as the database is migrated (recovery
 * after a crash, issue #15); the process still stops when one of them cannot be opened.
 */
final class WriteSide {
    private static final Logger log = LoggerFactory.getLogger(WriteSide.class);

    private final MasterConfig config;
    private final AdminOptions options;
    private final Database database;
    private final MeterRegistry meters;

    WriteSide(MasterConfig config, AdminOptions options, Database database, MeterRegistry meters) {
        this.config = config;
        this.options = options;
        this.database = database;
        this.meters = meters;
    }

    /**
     * Opens the parts on the thread {@code admin-rpc-write-side}, completing {@code commands} and
     * {@code withdrawal} (null without an http(s) chain endpoint) and setting {@code sink} as each
     * is ready; the answer completes with every opened part (to close in reverse order), or
     * exceptionally after closing those already opened.
     */
    CompletableFuture<List<AutoCloseable>> openAsync(
            AtomicReference<JdbcSink> sink,
            CompletableFuture<CommandPublisher> commands,
            CompletableFuture<RewardWithdrawal> withdrawal) {
        CompletableFuture<List<AutoCloseable>> opened = new CompletableFuture<>();
        Thread thread =
                new Thread(
                        () -> {
                            List<AutoCloseable> parts = new ArrayList<>();
                            try {
                                open(parts, sink, commands, withdrawal);
                                opened.complete(parts);
                            } catch (Exception | Error e) {
                                commands.completeExceptionally(e);
                                withdrawal.completeExceptionally(e);
                                closeAll(parts);
                                opened.completeExceptionally(e);
                            }
                        },
                        "admin-rpc-write-side");
        thread.setDaemon(true);
        thread.start();
        return opened;
    }

    private void open(
            List<AutoCloseable> parts,
            AtomicReference<JdbcSink> sink,
            CompletableFuture<CommandPublisher> commands,
            CompletableFuture<RewardWithdrawal> withdrawal)
            throws IOException {
        Topics topics = NodeTopics.create(config.kafka(), options.topicPrefix());
        if (options.runSink()) {
            // the sink first: it is what a restart is waiting for (the projections' next rows)
            JdbcSink started =
                    JdbcSink.start(
                            database,
                            topics,
                            SinkSettings.of(config).withGroupId(options.sinkGroupId()),
                            meters);
            parts.add(started);
            sink.set(started);
        }
        CommandPublisher publisher =
                CommandPublisher.create(
                        config.kafka().bootstrapServers(), config.kafka().properties(), topics);
        parts.add(publisher);
        commands.complete(publisher);
        withdrawal.complete(withdrawal(publisher, parts));
    }

    private RewardWithdrawal withdrawal(CommandPublisher commands, List<AutoCloseable> parts)
            throws IOException {
        String scheme = config.endpoint().getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            log.warn(
                    "JSON-RPC withdraw is off: it reads the contract over http(s), endpoint is {}"
                            + " [endpoint:{}]",
                    scheme,
                    config.endpoint());
            return null;
        }
        EmethCoreReader chain =
                EmethCoreReader.open(
                        config.endpoint().toString(),
                        config.emethContractAddress(),
                        config.poolId());
        parts.add(chain);
        return new RewardWithdrawal(database, chain, commands, config.poolId());
    }

    /** Waits for the parts; rethrows what stopped them from opening. */
    static List<AutoCloseable> await(CompletableFuture<List<AutoCloseable>> opening)
            throws Exception {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Waits for the parts after another failure, to close them with the rest; never throws. */
    static List<AutoCloseable> awaitQuietly(CompletableFuture<List<AutoCloseable>> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            return List.of(); // its parts are closed already; the first failure is reported
        }
    }

    private static void closeAll(List<AutoCloseable> parts) {
        List<AutoCloseable> reversed = new ArrayList<>(parts);
        Collections.reverse(reversed);
        for (AutoCloseable part : reversed) {
            try {
                part.close();
            } catch (Exception e) {
                log.warn("Closing {} failed: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
