package io.emeth.chain.gateway;

import io.emeth.chain.ChainKafka;
import io.emeth.chain.ServiceThread;
import io.emeth.chain.rpc.EthEndpoint;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * The chain gateway: the single writer of one account. Consumes {@code chain-commands} (the
 * account's commands only; a consumer group and a transactional id per account keep a second
 * gateway from writing), turns each into transactions through {@link CommandHandler}, journals each
 * signed transaction and each outcome on the compacted {@code chain-tx-journal} (loaded at start: a
 * command seen again at any age is answered from it), and publishes {@code TxSent}, {@code
 * TxConfirmed} or {@code TxFailed} on {@code chain-tx-results}: the commands of a poll in waves of
 * up to {@code maxInflightTxs} transactions in flight ({@link CommandHandler.Wave}), on its own
 * thread until {@link #close()}. Before its first command it tops the allowance up ({@link
 * CommandHandler#topUpAtStart()}), so that a burst's first wave finds it.
 */
public final class ChainGateway implements AutoCloseable {
    /** Where a gateway is in its life. */
    public enum State {
        RUNNING,
        /** Another gateway for the account took over; this one stopped. */
        FENCED,
        STOPPED
    }

    private static final Logger log = LoggerFactory.getLogger(ChainGateway.class);

    private final GatewayConfig config;
    private final Topics topics;
    private final EthEndpoint endpoint;
    private final GatewayMetrics metrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile State state = State.RUNNING;
    private KafkaConsumer<String, ChainCommand> consumer;

    /** Sent waves awaiting their receipts, oldest first (the gateway thread's only). */
    private final Deque<CommandHandler.Wave> inFlight = new ArrayDeque<>();

    /**
     * Longest the waves plan against one read of chain time, balance and allowance before the waves
     * in flight are drained and the state read again.
     */
    static final Duration STATE_MAX_AGE = Duration.ofSeconds(10);

    /**
     * Most commands one poll takes: their reads go out as one batch and they are planned and signed
     * before the mined waves are settled, so a larger poll would hold back the outcomes of waves
     * already mined (each command costs a few ms of reads and signing).
     */
    static final int MAX_POLL_COMMANDS = 64;

    /**
     * Commands per poll (and so per wave): half of {@code max_inflight_txs}, at most {@value
     * #MAX_POLL_COMMANDS}, so that at least two waves alternate, one being mined while the next is
     * read, planned and sent (one wave filling every slot would leave the gateway waiting for its
     * receipts with nothing to prepare).
     */
    static int pollCommands(int maxInflightTxs) {
        return Math.max(1, Math.min(MAX_POLL_COMMANDS, maxInflightTxs / 2));
    }

    private ChainGateway(GatewayConfig config, Topics topics, MeterRegistry registry)
            throws IOException {
        this.config = config;
        this.topics = topics;
        this.endpoint =
                EthEndpoint.connect(config.endpoint(), config.pollInterval(), config.rpcTimeout());
        this.metrics = new GatewayMetrics(registry, config.account());
        this.thread = new Thread(this::loop, "emeth-gateway");
    }

    /**
     * Checks that the topics exist, connects to the chain and starts on a new thread.
     *
     * @throws IllegalStateException naming missing topics or an unreachable Kafka
     * @throws IOException when a ws endpoint refuses the connection
     */
    public static ChainGateway start(GatewayConfig config, MeterRegistry registry)
            throws IOException, InterruptedException {
        Topics topics = Topics.create(config.serdeConfig(), config.topicPrefix());
        ChainKafka.requireTopics(
                config.kafkaProperties(),
                List.of(
                        topics.chainCommands().name(),
                        topics.chainTxResults().name(),
                        topics.chainTxJournal().name()));
        ChainGateway gateway = new ChainGateway(config, topics, registry);
        gateway.thread.start();
        log.info(
                "Gateway started [account:{}, endpoint:{}, txTimeoutMs:{}]",
                config.account(),
                gateway.endpoint.redacted(),
                config.txTimeout().toMillis());
        return gateway;
    }

    public State state() {
        return state;
    }

    /** Waits until the gateway stopped (closed or fenced); true if it did within the timeout. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, ChainCommand> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        ServiceThread.awaitStop(thread, stopped);
        endpoint.close();
        log.info("Gateway stopped [account:{}, state:{}]", config.account(), state);
    }

    private void loop() {
        int failures = 0;
        try (ResultPublisher publisher =
                        ResultPublisher.open(
                                config.kafkaProperties(),
                                config.gatewayId(),
                                topics.chainTxResults(),
                                topics.chainTxJournal());
                KafkaConsumer<String, ChainCommand> commands = consumer()) {
            consumer = commands;
            // after initTransactions: an older gateway's open transaction is settled by now
            Journal journal =
                    Journal.load(
                            config.kafkaProperties(),
                            config.gatewayId(),
                            topics.chainTxJournal(),
                            config.account());
            CommandHandler handler = null;
            boolean toppedUp = false;
            commands.subscribe(List.of(topics.chainCommands().name()));
            while (running) {
                try {
                    if (handler == null) {
                        handler = handler(publisher, journal);
                    }
                    if (!toppedUp) {
                        // before the first command: a burst's first wave finds its allowance
                        handler.topUpAtStart();
                        toppedUp = true;
                    }
                    pollOnce(commands, handler, publisher);
                    failures = 0;
                } catch (WakeupException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (e instanceof ResultPublisher.FencedException || ChainKafka.isFence(e)) {
                        // final: the gateway that took over the account is the only writer
                        log.error(
                                "Gateway fenced, stopping [account:{}]: {}",
                                config.account(),
                                e.toString());
                        state = State.FENCED;
                        return;
                    }
                    failures++;
                    Duration backoff = ServiceThread.backoff(config.pollInterval(), failures);
                    log.warn(
                            "Command handling failed, retrying [account:{}, attempt:{},"
                                    + " inMs:{}, error:{}]",
                            config.account(),
                            failures,
                            backoff.toMillis(),
                            e.toString());
                    inFlight.clear(); // their commands come again and resume from the journal
                    rewind(commands);
                    reconnect();
                    handler = null; // its contract wrappers hold the old connection
                    Thread.sleep(backoff.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("Gateway stopped on an error [account:{}]", config.account(), e);
        } finally {
            consumer = null;
            if (state == State.RUNNING) {
                state = State.STOPPED;
            }
            stopped.countDown();
        }
    }

    /**
     * Polls commands and forms waves: a wave is sent (journaled, broadcast) as soon as the poll's
     * commands are in it, and the next poll's commands form the next wave while the earlier ones
     * await their receipts, up to {@code max_inflight_txs} transactions in flight; waves settle and
     * commit (outcomes, journal entries, offsets) in the order they were sent.
     */
    private void pollOnce(
            KafkaConsumer<String, ChainCommand> commands,
            CommandHandler handler,
            ResultPublisher publisher)
            throws IOException, InterruptedException {
        try {
            if (handler.stateOlderThan(STATE_MAX_AGE.toMillis())) {
                drain(commands, handler, publisher); // chain time and balances are read afresh
            }
            // while waves await receipts, new commands form the next wave (the poll waits at most
            // one receipt-poll interval)
            CommandHandler.Wave wave = handler.wave();
            ConsumerRecords<String, ChainCommand> polled = commands.poll(config.pollInterval());
            if (!polled.isEmpty()) {
                // the job and account reads of the whole poll in one JSON-RPC batch
                List<ChainCommand> values = new ArrayList<>(polled.count());
                polled.forEach(r -> values.add(r.value()));
                handler.prefetch(values);
            }
            for (ConsumerRecord<String, ChainCommand> r : polled) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (!wave.offer(r.value())) {
                    // the wave is full, or holds the same command or job: send it; take the
                    // command into the next once the waves in flight made room (or freed the job)
                    send(wave);
                    wave = handler.wave();
                    boolean taken;
                    while (!(taken = wave.offer(r.value())) && !inFlight.isEmpty()) {
                        collectOldest(commands, handler, publisher);
                    }
                    if (taken) {
                        wave.offset(tp, r.offset() + 1);
                        continue;
                    }
                    // alone, nothing in flight: an approve first, a withdrawal, or resumed from
                    // the journal
                    Optional<CommandHandler.Outcome> outcome = handler.handle(r.value());
                    publisher.publishAndCommit(
                            outcome.map(o -> List.of(o.entry())).orElse(List.of()),
                            outcome.map(o -> List.of(o.result())).orElse(List.of()),
                            Map.of(tp, new OffsetAndMetadata(r.offset() + 1)),
                            commands.groupMetadata());
                    outcome.ifPresent(handler::committed);
                    handler.forgetState(); // the command changed the state the waves read
                    continue;
                }
                wave.offset(tp, r.offset() + 1);
            }
            send(wave);
            // settle the waves whose transactions are mined; one pending past tx_timeout_ms is
            // awaited (and its stuck transaction replaced)
            while (!inFlight.isEmpty()
                    && (inFlight.peekFirst().mined()
                            || inFlight.peekFirst().pendingLongerThan(config.txTimeout()))) {
                collectOldest(commands, handler, publisher);
            }
        } catch (RecordDeserializationException e) {
            // a command no reader can decode: skip it loudly rather than block the account
            log.error(
                    "Skipped an undecodable command [partition:{}, offset:{}, error:{}]",
                    e.topicPartition(),
                    e.offset(),
                    e.getMessage());
            drain(commands, handler, publisher);
            commands.seek(e.topicPartition(), e.offset() + 1);
            publisher.publishAndCommit(
                    List.of(),
                    List.of(),
                    Map.of(e.topicPartition(), new OffsetAndMetadata(e.offset() + 1)),
                    commands.groupMetadata());
        }
    }

    /** Journals and broadcasts the wave, which then awaits its receipts in flight. */
    private void send(CommandHandler.Wave wave) throws IOException {
        if (!wave.isIdle()) {
            wave.send();
            inFlight.addLast(wave);
        }
    }

    /** Settles every wave in flight, oldest first. */
    private void drain(
            KafkaConsumer<String, ChainCommand> commands,
            CommandHandler handler,
            ResultPublisher publisher)
            throws IOException, InterruptedException {
        while (!inFlight.isEmpty()) {
            collectOldest(commands, handler, publisher);
        }
    }

    /** Settles the oldest wave and commits its outcomes with the offsets of its records. */
    private void collectOldest(
            KafkaConsumer<String, ChainCommand> commands,
            CommandHandler handler,
            ResultPublisher publisher)
            throws IOException, InterruptedException {
        CommandHandler.Wave wave = inFlight.peekFirst();
        List<CommandHandler.Outcome> outcomes = wave.collect();
        inFlight.removeFirst();
        publisher.publishAndCommit(
                outcomes.stream().map(CommandHandler.Outcome::entry).toList(),
                outcomes.stream().map(CommandHandler.Outcome::result).toList(),
                wave.offsets(),
                commands.groupMetadata());
        outcomes.forEach(handler::committed);
    }

    private CommandHandler handler(ResultPublisher publisher, Journal journal) throws IOException {
        Web3j web3j = endpoint.web3j();
        ReadonlyTransactionManager readonly =
                new ReadonlyTransactionManager(web3j, config.account());
        EmethCore core =
                EmethCore.load(config.coreAddress(), web3j, readonly, new DefaultGasProvider());
        EmethToken token =
                EmethToken.load(config.tokenAddress(), web3j, readonly, new DefaultGasProvider());
        return new CommandHandler(
                config,
                new CommandPlanner(
                        config.account(),
                        core,
                        token,
                        config.allowanceDeposits(),
                        config.allowanceLowWaterDeposits()),
                ChainState.of(
                        EmethCoreReader.of(web3j, config.coreAddress(), config.account()),
                        config.account()),
                new TxSender(endpoint, config.identity().credentials()),
                publisher,
                journal,
                new Results(config.account(), Clock.systemUTC()),
                metrics,
                new BatchReads(endpoint, config.account(), core, token),
                () -> running);
    }

    private KafkaConsumer<String, ChainCommand> consumer() {
        Topic<String, ChainCommand> topic = topics.chainCommands();
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.gatewayId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.gatewayId());
        // static membership: a restarted gateway takes its partitions back at once instead of
        // waiting out the dead one's session, and a second one is fenced
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.gatewayId());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, pollCommands(config.maxInflightTxs()));
        // a command may wait for its receipt through every replacement
        long maxWait =
                config.txTimeout().toMillis() * (config.maxReplacements() + 2)
                        + Duration.ofMinutes(5).toMillis();
        props.put(
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.min(Integer.MAX_VALUE, maxWait));
        return new KafkaConsumer<>(
                props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    /** Goes back to the last committed offsets so the failed command is handled again. */
    private void rewind(KafkaConsumer<String, ChainCommand> commands) {
        try {
            var committed = commands.committed(commands.assignment());
            for (TopicPartition tp : commands.assignment()) {
                OffsetAndMetadata offset = committed.get(tp);
                if (offset != null) {
                    commands.seek(tp, offset);
                } else {
                    commands.seekToBeginning(List.of(tp));
                }
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Could not rewind the command consumer [account:{}, error:{}]",
                    config.account(),
                    e.toString());
        }
    }

    private void reconnect() {
        try {
            endpoint.reconnect();
        } catch (IOException | RuntimeException e) {
            log.warn("Reconnecting to the Ethereum endpoint failed [error:{}]", e.toString());
        }
    }
}
