package io.emeth.chain.gateway;

import io.emeth.chain.gateway.TxSender.Signed;
import io.emeth.contracts.ContractRates;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.contracts.JobIds;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.JournalTx;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.gateway.TxFailed;
import io.emeth.schemas.avro.gateway.TxFailureKind;
import io.emeth.schemas.avro.gateway.TxJournal;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionDecoder;

/**
 * Carries one command to its outcome: answers a command id the journal holds an outcome for without
 * touching the chain, resumes a command whose signed transactions the journal holds (by nonce and
 * receipt, rebroadcasting the journaled bytes, never signing a second transaction for the nonce),
 * or checks the chain, journals each signed transaction before it is broadcast, replaces a
 * transaction stuck past the timeout, and waits for the receipt.
 */
final class CommandHandler {
    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

    /**
     * Test-only fault injection: the crash ITs start a gateway process with this system property
     * set to {@code journaled}, {@code broadcast} or {@code receipt}, and it halts there (like a
     * SIGKILL: no shutdown hook, no transaction abort) the first time it gets there.
     */
    static final String HALT_AT_PROPERTY = "emeth.gateway.test.haltAt";

    private static final String HALT_AT = System.getProperty(HALT_AT_PROPERTY, "");

    /** What became of a command: its outcome record and its final journal entry. */
    record Outcome(ChainTxResult result, TxJournal entry) {}

    private final GatewayConfig config;
    private final CommandPlanner planner;
    private final ChainState state;
    private final TxSender sender;
    private final ResultPublisher publisher;
    private final Journal journal;
    private final Results results;
    private final GatewayMetrics metrics;
    private final ReceiptWaiter receipts;
    private final BatchReads batchReads;

    /** How long the last batched reads took and for how many commands, until a wave logs it. */
    private long readMs;

    private int readCommands;

    /**
     * The chain state the open wave and every wave in flight plan against: read once, less the
     * deposits they reserved; forgotten when nothing is in flight (and a job's entry when its wave
     * is settled).
     */
    private final Reserving reserving;

    /** Command ids and jobs of the open wave and the waves in flight: a repeat waits for them. */
    private final Set<String> busyIds = new HashSet<>();

    private final Set<String> busyJobs = new HashSet<>();
    private int inflightTxs;
    private long stateReadAt = -1;

    CommandHandler(
            GatewayConfig config,
            CommandPlanner planner,
            ChainState state,
            TxSender sender,
            ResultPublisher publisher,
            Journal journal,
            Results results,
            GatewayMetrics metrics,
            BatchReads batchReads,
            BooleanSupplier running) {
        this.config = config;
        this.batchReads = batchReads;
        this.planner = planner;
        this.state = state;
        this.sender = sender;
        this.publisher = publisher;
        this.journal = journal;
        this.results = results;
        this.metrics = metrics;
        this.reserving = new Reserving(state);
        this.receipts =
                new ReceiptWaiter(
                        config,
                        sender,
                        results,
                        running,
                        (command, tx, replaces) -> journalSent(command, tx, replaces));
    }

    /**
     * The outcome of {@code command}, or empty when it needs none: another account's command, or
     * one the journal already holds an outcome for.
     */
    Optional<Outcome> handle(ChainCommand command) throws IOException, InterruptedException {
        if (command == null || !config.account().equalsIgnoreCase(command.getAccount())) {
            return Optional.empty();
        }
        String id = command.getCommandId();
        Optional<TxJournal> entry = journal.get(id);
        if (entry.isPresent() && entry.get().getOutcome() != null) {
            return duplicate(command, entry.get());
        }
        List<JournalTx> sent = entry.map(TxJournal::getTxs).orElse(List.of());
        ChainTxResult outcome;
        try {
            outcome = sent.isEmpty() ? execute(command) : resume(command, sent);
        } catch (EmethCoreReader.CallRefusedException refused) {
            // the contract refused a read (a revert, a function it lacks): a retry would meet
            // the same refusal and hold up every later command of the account
            outcome =
                    results.failed(
                            command,
                            CommandPlanner.actionOf(command),
                            TxFailureKind.ERROR,
                            "the contract refused a read: " + refused.getMessage(),
                            null);
        }
        haltIf("receipt");
        record(outcome);
        TxJournal last = journal.get(id).orElseGet(() -> newEntry(command));
        return Optional.of(
                new Outcome(
                        outcome,
                        TxJournal.newBuilder(last)
                                .setAt(results.now())
                                .setOutcome(outcome)
                                .build()));
    }

    /** Id of the journal entry of the allowance top-up at start: one per account, reused. */
    static String startTopUpId(String account) {
        return "allowance-top-up-at-start-" + account.toLowerCase(Locale.ROOT);
    }

    /**
     * Tops the allowance up before the gateway takes its first command ({@link
     * CommandPlanner#topUpAtStart}, deposits of the highest fee the node takes), so that the first
     * wave of a burst does not wait for an approve mined alone. It is carried like a command of its
     * own, named {@link #startTopUpId}: journaled before it is broadcast, its {@code TxSent} and
     * outcome published on {@code chain-tx-results} (the master ignores APPROVE results); one the
     * journal shows in flight from an earlier run is resumed (settled by its receipt, its journaled
     * bytes rebroadcast), never signed again. Nothing to do without a start fee in the config or
     * when the allowance covers the low-water mark.
     */
    void topUpAtStart() throws IOException, InterruptedException {
        BigInteger fee = config.startAllowanceFeeWei();
        if (fee == null || fee.signum() == 0) {
            return;
        }
        // never published as a command: it only names the top-up's journal entry and results
        ChainCommand command =
                new ChainCommand(
                        startTopUpId(config.account()), config.account(), results.now(), null);
        String id = command.getCommandId();
        List<JournalTx> sent =
                journal.get(id)
                        .filter(e -> e.getOutcome() == null)
                        .map(TxJournal::getTxs)
                        .orElse(List.of());
        ChainTxResult outcome;
        if (!sent.isEmpty()) {
            outcome = resume(command, sent);
        } else {
            Plan plan = planner.topUpAtStart(fee, state);
            if (plan instanceof Plan.Refuse refuse) {
                log.info(
                        "No allowance top-up at start [account:{}]: {}",
                        config.account(),
                        refuse.reason());
                return;
            }
            journal.put(newEntry(command)); // an earlier start's top-up is settled: a new entry
            outcome = runStep(command, ((Plan.Send) plan).steps().get(0));
        }
        haltIf("receipt");
        record(outcome);
        TxJournal last = journal.get(id).orElseGet(() -> newEntry(command));
        TxJournal done =
                TxJournal.newBuilder(last).setAt(results.now()).setOutcome(outcome).build();
        publisher.journal(List.of(done), List.of(outcome));
        journal.put(done);
    }

    private boolean isStartTopUp(ChainCommand command) {
        return command.getPayload() == null
                && startTopUpId(config.account()).equals(command.getCommandId());
    }

    /** Called once the outcome and its journal entry are committed. */
    void committed(Outcome outcome) {
        journal.put(outcome.entry());
    }

    private Optional<Outcome> duplicate(ChainCommand command, TxJournal entry) {
        metrics.duplicate();
        log.info(
                "Skipped a command the journal holds an outcome for [commandId:{}, jobId:{},"
                        + " outcome:{}, at:{}]",
                command.getCommandId(),
                CommandPlanner.jobIdOf(command),
                entry.getOutcome().getPayload().getClass().getSimpleName(),
                entry.getAt());
        return Optional.empty();
    }

    /**
     * Reads what {@code commands} (one poll's) will need when offered to a wave, as one JSON-RPC
     * batch ({@link BatchReads}): the state of their jobs not read yet ({@code jobs} and {@code
     * jobAssigns}), and the account's balance, allowance and chain time when the waves have not
     * read them (gas is estimated when a command is offered: a batch of estimates costs the node as
     * much per estimate as one at a time, see {@link Wave}). A command already answered by the
     * journal, resumed from it, busy in a wave, or a withdrawal is left out (it reads alone, as
     * before). An entry the node answers with an error is left out too; a batch that fails as a
     * whole is logged and the commands read one by one.
     */
    void prefetch(List<ChainCommand> commands) {
        Set<String> jobIds = new java.util.LinkedHashSet<>();
        int reading = 0;
        for (ChainCommand command : commands) {
            if (command == null || !config.account().equalsIgnoreCase(command.getAccount())) {
                continue;
            }
            String id = command.getCommandId();
            String jobId = CommandPlanner.jobIdOf(command);
            ChainAction action = CommandPlanner.actionOf(command);
            if (jobId == null
                    || action == ChainAction.WITHDRAW_SLOT_REWARD
                    || busyIds.contains(id)
                    || journal.get(id).isPresent()) {
                continue;
            }
            String job;
            try {
                job = JobIds.normalize(jobId);
            } catch (IllegalArgumentException malformed) {
                continue; // the planner refuses it with the reason
            }
            if (busyJobs.contains(jobId) || busyJobs.contains(job)) {
                continue;
            }
            if (!reserving.holds(job)) {
                jobIds.add(job);
            }
            reading++;
        }
        if (reading == 0) {
            return;
        }
        long startNanos = System.nanoTime();
        BatchReads.Answers answers;
        try {
            answers = batchReads.read(jobIds, !reserving.holdsAccountState());
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "Batched reads failed, reading command by command [commands:{}, error:{}]",
                    reading,
                    e.toString());
            return;
        }
        readMs += millis(startNanos, System.nanoTime());
        readCommands += reading;
        answers.jobs().forEach(reserving::known);
        reserving.knownAccount(answers.emtBalance(), answers.allowance(), answers.now());
        if (!answers.errors().isEmpty()) {
            log.warn(
                    "Batched reads: {} entries failed, their commands read alone [errors:{}]",
                    answers.errors().size(),
                    answers.errors());
        }
        log.debug(
                "Batched reads [jobs:{}, ms:{}]",
                answers.jobs().size(),
                millis(startNanos, System.nanoTime()));
    }

    /** A new, empty wave of pipelined commands. */
    Wave wave() {
        return new Wave();
    }

    /** Transactions of sent waves whose outcomes are not collected yet. */
    int inflightTxs() {
        return inflightTxs;
    }

    /**
     * Whether the state the waves plan against was read longer ago than {@code maxAgeMs}: chain
     * time and balances then call for draining the waves in flight and reading it afresh.
     */
    boolean stateOlderThan(long maxAgeMs) {
        return stateReadAt >= 0 && System.currentTimeMillis() - stateReadAt > maxAgeMs;
    }

    /** Forgets the state the waves read (nothing is in flight: a command ran alone, or drained). */
    void forgetState() {
        if (inflightTxs == 0) {
            reserving.clear();
            stateReadAt = -1;
        }
    }

    /**
     * Commands whose transactions are in flight together: each is planned against the state the
     * waves in flight share less what they reserved (deposits of their {@code process} calls),
     * signed with the next local nonce (an allowance top-up one nonce before its process), all are
     * journaled in one Kafka transaction and broadcast in nonce order ({@link #send()}); later
     * waves may be sent meanwhile, up to {@code max_inflight_txs} transactions in all; {@link
     * #collect()} awaits the receipts lowest nonce first (a stuck one is replaced with a higher
     * fee, at most {@code maxReplacements} times). A {@code process} the allowance does not cover
     * at all (the approve must be mined before its estimate), a withdrawal, or a command the
     * journal shows in flight from an earlier run is not taken: the caller settles the waves in
     * flight and runs it alone.
     */
    final class Wave {
        private final List<ChainCommand> commands = new ArrayList<>();
        private final Map<String, Signed> txs = new HashMap<>();

        /** The allowance top-up ({@code approve}) sent just before a command's process. */
        private final Map<String, Signed> topUps = new HashMap<>();

        private final Map<String, ChainTxResult> outcomes = new HashMap<>();
        private final Set<String> jobs = new HashSet<>();
        private final Set<String> ids = new HashSet<>();
        private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        private final List<ChainCommand> sent = new ArrayList<>();
        private final List<ChainCommand> alone = new ArrayList<>();
        private Fees fees;
        private boolean broadcast;
        private long sentAtNanos;
        private long openedAtNanos;
        private long journaledAtNanos;
        private long broadcastAtNanos;

        /**
         * Gas limits estimated in this wave by call shape ({@link #shape}): the wave's other
         * commands of the same shape take the limit and only check with an {@code eth_call} that
         * they would not revert (one execution instead of an estimate's search).
         */
        private final Map<String, Long> gasByShape = new HashMap<>();

        /**
         * Of the planning time: spent in {@code eth_estimateGas} / {@code eth_call} and in signing.
         */
        private long estimateNanos;

        private long signNanos;

        boolean isEmpty() {
            return commands.isEmpty();
        }

        /** The consumer offset to commit with this wave's outcomes. */
        void offset(TopicPartition tp, long next) {
            offsets.put(tp, new OffsetAndMetadata(next));
        }

        Map<TopicPartition, OffsetAndMetadata> offsets() {
            return Map.copyOf(offsets);
        }

        /** Whether the wave holds nothing to send, settle or commit. */
        boolean isIdle() {
            return commands.isEmpty() && offsets.isEmpty();
        }

        /**
         * Takes {@code command} into the wave, or answers false when it must wait for the wave to
         * finish (same command or job in it) or run alone. A command needing no outcome is taken.
         */
        boolean offer(ChainCommand command) throws IOException {
            if (command == null || !config.account().equalsIgnoreCase(command.getAccount())) {
                return true;
            }
            String id = command.getCommandId();
            String jobId = CommandPlanner.jobIdOf(command);
            if (broadcast || busyIds.contains(id) || (jobId != null && busyJobs.contains(jobId))) {
                return false; // waits for the wave (or the one in flight) holding the same
            }
            Optional<TxJournal> entry = journal.get(id);
            if (entry.isPresent() && entry.get().getOutcome() != null) {
                duplicate(command, entry.get());
                return true;
            }
            if (inflightTxs + txs.size() >= config.maxInflightTxs()) {
                return false; // max_inflight_txs reached: an earlier wave must settle first
            }
            if (stateReadAt < 0) {
                stateReadAt = System.currentTimeMillis();
            }
            ChainAction action = CommandPlanner.actionOf(command);
            if (entry.isPresent() && !entry.get().getTxs().isEmpty()
                    || action == ChainAction.WITHDRAW_SLOT_REWARD) {
                return false;
            }
            Plan plan;
            try {
                plan = planner.plan(command, reserving);
            } catch (EmethCoreReader.CallRefusedException refused) {
                done(
                        command,
                        results.failed(
                                command,
                                action,
                                TxFailureKind.ERROR,
                                "the contract refused a read: " + refused.getMessage(),
                                null));
                return true;
            }
            if (plan instanceof Plan.Refuse refuse) {
                done(
                        command,
                        results.failed(
                                command,
                                action,
                                TxFailureKind.PRECONDITION,
                                refuse.reason(),
                                null));
                return true;
            }
            List<Step> steps = ((Plan.Send) plan).steps();
            Step topUp = null;
            BigInteger deposit = null;
            if (action == ChainAction.PROCESS_JOB) {
                deposit = state.rates().deposit(reserving.job(JobIds.normalize(jobId)).fee());
            }
            if (steps.size() == 2
                    && steps.get(0).action() == ChainAction.APPROVE
                    && deposit != null
                    && reserving.allowance().compareTo(deposit) >= 0) {
                // below the low-water mark but this job still covered: the top-up goes into the
                // wave, nonce before the process (which its estimate does not need)
                topUp = steps.get(0);
            } else if (steps.size() != 1) {
                return false; // no allowance for this job: alone, the approve mined first
            }
            Step step = steps.get(steps.size() - 1);
            long gasLimit;
            long topUpGas = 0;
            long estimateStart = System.nanoTime();
            try {
                gasLimit = waveGasLimit(step);
                if (topUp != null) {
                    topUpGas = sender.gasLimit(topUp);
                }
            } catch (TxSender.WouldRevertException e) {
                done(
                        command,
                        results.failed(
                                command,
                                step.action(),
                                TxFailureKind.PRECONDITION,
                                step.action() + " would revert: " + e.getMessage(),
                                null));
                return true;
            }
            if (fees == null) {
                fees = sender.currentFees();
            }
            long signStart = System.nanoTime();
            estimateNanos += signStart - estimateStart;
            if (topUp != null) {
                Signed approve = sender.sign(topUp, sender.nextNonce(), fees, topUpGas);
                sender.nonceUsed(approve.nonce());
                topUps.put(id, approve);
                // approve sets the allowance: the later process calls draw on the new amount
                reserving.approved(
                        deposit.multiply(BigInteger.valueOf(config.allowanceDeposits())));
            }
            Signed tx = sender.sign(step, sender.nextNonce(), fees, gasLimit);
            signNanos += System.nanoTime() - signStart;
            sender.nonceUsed(tx.nonce());
            if (deposit != null) {
                reserving.reserve(deposit);
            }
            txs.put(id, tx);
            taken(command);
            return true;
        }

        /**
         * The gas limit of {@code step} in this wave: the limit estimated for an earlier command of
         * the same shape in the wave (the same call on the same state: {@code process} of another
         * job, {@code submit} of a result as long), after an {@code eth_call} shows it would not
         * revert; else estimated now.
         */
        private long waveGasLimit(Step step) throws IOException {
            String shape = shape(step);
            Long known = gasByShape.get(shape);
            if (known != null) {
                sender.checkCall(step);
                return known;
            }
            long limit = sender.gasLimit(step);
            gasByShape.put(shape, limit);
            return limit;
        }

        private void done(ChainCommand command, ChainTxResult outcome) {
            outcomes.put(command.getCommandId(), outcome);
            taken(command);
        }

        private void taken(ChainCommand command) {
            if (commands.isEmpty()) {
                openedAtNanos = System.nanoTime();
            }
            commands.add(command);
            ids.add(command.getCommandId());
            busyIds.add(command.getCommandId());
            String jobId = CommandPlanner.jobIdOf(command);
            if (jobId != null) {
                jobs.add(jobId);
                busyJobs.add(jobId);
            }
        }

        /**
         * Journals the wave's transactions in one Kafka transaction and broadcasts them in nonce
         * order; their receipts are collected by {@link #collect()}, meanwhile later waves may be
         * sent (up to {@code max_inflight_txs} transactions in all).
         */
        void send() throws IOException {
            if (broadcast) {
                return;
            }
            broadcast = true;
            sentAtNanos = System.nanoTime();
            sent.addAll(commands.stream().filter(c -> txs.containsKey(c.getCommandId())).toList());
            inflightTxs += sent.size();
            if (!sent.isEmpty()) {
                List<TxJournal> entries = new ArrayList<>();
                List<ChainTxResult> sentResults = new ArrayList<>();
                for (ChainCommand c : sent) {
                    Signed tx = txs.get(c.getCommandId());
                    Signed approve = topUps.get(c.getCommandId());
                    TxJournal entry = approve == null ? null : withTx(c, approve);
                    if (approve != null) {
                        sentResults.add(results.sent(c, approve, null));
                    }
                    entries.add(withTx(c, tx, entry));
                    sentResults.add(results.sent(c, tx, null));
                }
                publisher.journal(entries, sentResults);
                journaledAtNanos = System.nanoTime();
                entries.forEach(journal::put);
                for (ChainCommand c : sent) {
                    metrics.tx("sent", txs.get(c.getCommandId()).step().action().name(), "");
                }
                haltIf("journaled");
                for (ChainCommand c : sent) {
                    Signed tx = txs.get(c.getCommandId());
                    Signed approve = topUps.get(c.getCommandId());
                    if (approve != null && !sendTopUp(approve)) {
                        alone.add(c); // another sender used the account: settle it alone
                        continue;
                    }
                    try {
                        if (sender.send(tx) == TxSender.Sent.NONCE_USED) {
                            alone.add(c); // another sender used the account: settle it alone
                        }
                    } catch (TxSender.RejectedException e) {
                        outcomes.put(
                                c.getCommandId(),
                                results.failed(
                                        c,
                                        tx.step().action(),
                                        TxFailureKind.REJECTED,
                                        e.getMessage(),
                                        tx.hash()));
                        fill(tx);
                    }
                }
                haltIf("broadcast");
                broadcastAtNanos = System.nanoTime();
                log.info(
                        "Sent a wave of transactions [txs:{}, nonces:{}..{}, readMs:{} ({}"
                                + " commands), planMs:{} (estimateMs:{}, signMs:{}),"
                                + " journalMs:{}, broadcastMs:{}, inflightTxs:{}]",
                        sent.size() + topUps.size(),
                        txs.get(sent.get(0).getCommandId()).nonce(),
                        txs.get(sent.get(sent.size() - 1).getCommandId()).nonce(),
                        readMs,
                        readCommands,
                        millis(openedAtNanos, sentAtNanos),
                        estimateNanos / 1_000_000,
                        signNanos / 1_000_000,
                        millis(sentAtNanos, journaledAtNanos),
                        millis(journaledAtNanos, broadcastAtNanos),
                        inflightTxs);
                readMs = 0;
                readCommands = 0;
            }
        }

        /**
         * Whether every transaction of the sent wave is mined (the account's mined nonce is past
         * the wave's last), so that {@link #collect()} would not wait.
         */
        boolean mined() throws IOException {
            long last = -1;
            for (ChainCommand c : sent) {
                last = Math.max(last, txs.get(c.getCommandId()).nonce());
            }
            return last < 0 || sender.minedNonce() > last;
        }

        /** Whether the wave was sent longer than {@code timeout} ago (and is not settled). */
        boolean pendingLongerThan(java.time.Duration timeout) {
            return broadcast && System.nanoTime() - sentAtNanos > timeout.toNanos();
        }

        /**
         * Awaits the receipts of the sent wave, lowest nonce first (a stuck one is replaced), and
         * answers each command's outcome. The wave's commands and jobs are free for later waves
         * afterwards; the state read for the waves is forgotten once none is in flight.
         */
        List<Outcome> collect() throws IOException, InterruptedException {
            long collectAt = System.nanoTime();
            send();
            try {
                List<Outcome> out = settle();
                if (!sent.isEmpty()) {
                    log.info(
                            "Settled a wave [txs:{}, sentToSettledMs:{}, awaitMs:{}]",
                            sent.size(),
                            millis(broadcastAtNanos, System.nanoTime()),
                            millis(collectAt, System.nanoTime()));
                }
                return out;
            } finally {
                inflightTxs -= sent.size();
                busyIds.removeAll(ids);
                busyJobs.removeAll(jobs);
                reserving.forget(jobs); // their state changed: the next wave reads it afresh
                forgetState();
            }
        }

        private List<Outcome> settle() throws IOException, InterruptedException {
            if (!sent.isEmpty()) {
                for (ChainCommand c : sent) {
                    if (!outcomes.containsKey(c.getCommandId()) && !alone.contains(c)) {
                        outcomes.put(
                                c.getCommandId(),
                                receipts.await(
                                        c, new ArrayList<>(List.of(txs.get(c.getCommandId())))));
                    }
                }
                for (ChainCommand c : alone) {
                    handle(c).ifPresent(o -> outcomes.put(c.getCommandId(), o.result()));
                }
                haltIf("receipt");
            }
            List<Outcome> out = new ArrayList<>();
            for (ChainCommand c : commands) {
                ChainTxResult outcome = outcomes.get(c.getCommandId());
                if (outcome == null) {
                    continue;
                }
                record(outcome);
                TxJournal last = journal.get(c.getCommandId()).orElseGet(() -> newEntry(c));
                out.add(
                        new Outcome(
                                outcome,
                                TxJournal.newBuilder(last)
                                        .setAt(results.now())
                                        .setOutcome(outcome)
                                        .build()));
            }
            return out;
        }

        /**
         * Broadcasts an allowance top-up; false when its nonce was used by another sender. A
         * refused one is filled (the process after it may still find the old allowance enough).
         */
        private boolean sendTopUp(Signed approve) throws IOException {
            metrics.tx("sent", ChainAction.APPROVE.name(), "");
            try {
                return sender.send(approve) != TxSender.Sent.NONCE_USED;
            } catch (TxSender.RejectedException e) {
                log.warn(
                        "Node refused an allowance top-up [nonce:{}, tx:{}]: {}",
                        approve.nonce(),
                        approve.hash(),
                        e.getMessage());
                fill(approve);
                return true;
            }
        }

        /** Fills the nonce of a refused transaction, so that the later ones can be mined. */
        private void fill(Signed refused) {
            try {
                Signed filler = sender.signFiller(refused.nonce(), refused.fees());
                sender.send(filler);
                sender.settled(List.of(filler)); // not awaited: later nonces show it was mined
                log.warn(
                        "Filled the nonce of a refused transaction with a 0-value self-transfer"
                                + " [nonce:{}, refused:{}, filler:{}]",
                        refused.nonce(),
                        refused.hash(),
                        filler.hash());
            } catch (IOException | RuntimeException e) {
                log.error(
                        "Could not fill the nonce of a refused transaction; later ones wait for"
                                + " their replacement [nonce:{}, error:{}]",
                        refused.nonce(),
                        e.toString());
                sender.resyncNonce();
            }
        }
    }

    private TxJournal withTx(ChainCommand command, Signed tx) {
        return withTx(command, tx, null);
    }

    /** The command's journal entry ({@code before}, else the journal's) with {@code tx} added. */
    private TxJournal withTx(ChainCommand command, Signed tx, TxJournal before) {
        if (before == null) {
            before = journal.get(command.getCommandId()).orElseGet(() -> newEntry(command));
        }
        List<JournalTx> list = new ArrayList<>(before.getTxs());
        list.add(
                JournalTx.newBuilder()
                        .setAction(tx.step().action())
                        .setNonce(tx.nonce())
                        .setTxHash(tx.hash())
                        .setRawTx(tx.raw())
                        .setMaxFeePerGas(new BigDecimal(tx.fees().maxFeePerGas()))
                        .setMaxPriorityFeePerGas(new BigDecimal(tx.fees().maxPriorityFeePerGas()))
                        .setGasLimit(tx.gasLimit())
                        .build());
        return TxJournal.newBuilder(before).setAt(results.now()).setTxs(list).build();
    }

    /**
     * The chain state less the deposits the wave's process calls will pull, each value read once
     * per wave (the wave lasts a few blocks at most; the transaction's own checks still hold).
     */
    private static final class Reserving implements ChainState {
        private final ChainState state;
        private final Map<String, JobState> jobs = new HashMap<>();
        private BigInteger reserved = BigInteger.ZERO;
        private BigInteger balance;
        private BigInteger allowance;
        private Long now;

        Reserving(ChainState state) {
            this.state = state;
        }

        void reserve(BigInteger deposit) {
            reserved = reserved.add(deposit);
        }

        /** An approve of {@code amount} goes before the next process: the allowance it sets. */
        void approved(BigInteger amount) throws IOException {
            allowance(); // read once, so that the base below stays
            allowance = amount.add(reserved);
        }

        /** Whether {@code jobId}'s state is read already. */
        boolean holds(String jobId) {
            return jobs.containsKey(jobId);
        }

        /** Whether balance, allowance and chain time are read already. */
        boolean holdsAccountState() {
            return balance != null && allowance != null && now != null;
        }

        /** {@code jobId}'s state, read in a batch. */
        void known(String jobId, JobState job) {
            jobs.putIfAbsent(jobId, job);
        }

        /** The account's state read in a batch (a null was not answered: read when needed). */
        void knownAccount(BigInteger emtBalance, BigInteger emtAllowance, Long chainTime) {
            if (balance == null) {
                balance = emtBalance;
            }
            if (allowance == null) {
                allowance = emtAllowance;
            }
            if (now == null) {
                now = chainTime;
            }
        }

        void forget(Set<String> jobIds) {
            for (String j : jobIds) {
                jobs.remove(j);
                jobs.remove(JobIds.normalize(j));
            }
        }

        void clear() {
            reserved = BigInteger.ZERO;
            jobs.clear();
            balance = null;
            allowance = null;
            now = null;
        }

        @Override
        public JobState job(String jobId) throws IOException {
            JobState job = jobs.get(jobId);
            if (job == null) {
                job = state.job(jobId);
                jobs.put(jobId, job);
            }
            return job;
        }

        @Override
        public BigInteger emtBalance() throws IOException {
            if (balance == null) {
                balance = state.emtBalance();
            }
            return balance.subtract(reserved);
        }

        @Override
        public BigInteger allowance() throws IOException {
            if (allowance == null) {
                allowance = state.allowance();
            }
            return allowance.subtract(reserved);
        }

        @Override
        public long now() throws IOException {
            if (now == null) {
                now = state.now();
            }
            return now;
        }

        @Override
        public long currentSlot() throws IOException {
            return state.currentSlot();
        }

        @Override
        public ContractRates rates() throws IOException {
            return state.rates();
        }

        @Override
        public EmethCoreReader.Slot slot(long slot) throws IOException {
            return state.slot(slot);
        }

        @Override
        public BigInteger slotGas(long slot) throws IOException {
            return state.slotGas(slot);
        }

        @Override
        public boolean slotWithdrawn(long slot) throws IOException {
            return state.slotWithdrawn(slot);
        }
    }

    /** Checks the chain and sends the command's steps in order. */
    private ChainTxResult execute(ChainCommand command) throws IOException, InterruptedException {
        if (isStartTopUp(command)) {
            Plan plan = planner.topUpAtStart(config.startAllowanceFeeWei(), state);
            return plan instanceof Plan.Refuse refuse
                    ? results.failed(
                            command,
                            ChainAction.APPROVE,
                            TxFailureKind.PRECONDITION,
                            refuse.reason(),
                            null)
                    : runStep(command, ((Plan.Send) plan).steps().get(0));
        }
        ChainAction main = CommandPlanner.actionOf(command);
        Plan plan = planner.plan(command, state);
        if (plan instanceof Plan.Refuse refuse) {
            return results.failed(command, main, TxFailureKind.PRECONDITION, refuse.reason(), null);
        }
        ChainTxResult last = null;
        for (Step step : ((Plan.Send) plan).steps()) {
            last = runStep(command, step);
            if (!(last.getPayload() instanceof TxConfirmed)) {
                return last; // a failed approve fails the command
            }
        }
        return last;
    }

    private ChainTxResult runStep(ChainCommand command, Step step)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long gasLimit;
            try {
                gasLimit = sender.gasLimit(step);
            } catch (TxSender.WouldRevertException e) {
                return results.failed(
                        command,
                        step.action(),
                        TxFailureKind.PRECONDITION,
                        step.action() + " would revert: " + e.getMessage(),
                        null);
            }
            Signed tx = sender.sign(step, sender.nextNonce(), sender.currentFees(), gasLimit);
            journalSent(command, tx, null);
            haltIf("journaled");
            TxSender.Sent answer;
            try {
                answer = sender.send(tx);
            } catch (TxSender.RejectedException e) {
                sender.resyncNonce();
                return results.failed(
                        command, step.action(), TxFailureKind.REJECTED, e.getMessage(), tx.hash());
            }
            if (answer == TxSender.Sent.NONCE_USED && attempt < 3) {
                // another sender used the account: our nonce is stale, this tx never counted
                log.warn(
                        "Nonce already used, retrying with a fresh one [commandId:{}, nonce:{}]",
                        command.getCommandId(),
                        tx.nonce());
                sender.resyncNonce();
                continue;
            }
            sender.nonceUsed(tx.nonce());
            haltIf("broadcast");
            log.info(
                    "Sent transaction [commandId:{}, action:{}, tx:{}, nonce:{}]",
                    command.getCommandId(),
                    step.action(),
                    tx.hash(),
                    tx.nonce());
            return receipts.await(command, new ArrayList<>(List.of(tx)));
        }
    }

    /**
     * Picks up a command whose signed transactions the journal holds: the last journaled nonce is
     * settled by receipt (or its journaled bytes rebroadcast unchanged), never replaced by a new
     * transaction.
     */
    private ChainTxResult resume(ChainCommand command, List<JournalTx> sent)
            throws IOException, InterruptedException {
        long nonce = sent.stream().mapToLong(JournalTx::getNonce).max().orElseThrow();
        List<Signed> variants = new ArrayList<>();
        for (JournalTx t : sent) {
            if (t.getNonce() == nonce) {
                variants.add(signed(t));
            }
        }
        variants.sort(Comparator.comparing(v -> v.fees().maxFeePerGas()));
        ChainAction action = variants.get(0).step().action();
        log.info(
                "Resuming a command sent before a restart [commandId:{}, action:{}, nonce:{},"
                        + " txs:{}]",
                command.getCommandId(),
                action,
                nonce,
                variants.size());
        sender.nonceUsed(nonce);
        rebroadcastEarlier(command, sent, nonce);
        Optional<ChainTxResult> settled = receipts.settled(command, variants);
        if (settled.isEmpty() && sender.minedNonce() > nonce) {
            settled = receipts.settled(command, variants); // mined between the two reads
            if (settled.isEmpty()) {
                // none of ours will ever be mined: the chain state decides afresh
                log.warn(
                        "Recorded nonce was used by another transaction, re-planning"
                                + " [commandId:{}, nonce:{}]",
                        command.getCommandId(),
                        nonce);
                return execute(command);
            }
        }
        if (settled.isEmpty()) {
            Signed latest = variants.get(variants.size() - 1);
            if (!sender.known(latest.hash())) {
                try {
                    sender.send(latest); // lost before it reached the node: same tx, same nonce
                } catch (TxSender.RejectedException e) {
                    log.warn(
                            "Node refused the rebroadcast, waiting to replace it"
                                    + " [commandId:{}, tx:{}]: {}",
                            command.getCommandId(),
                            latest.hash(),
                            e.getMessage());
                }
            }
            settled = Optional.of(receipts.await(command, variants));
        }
        ChainTxResult result = settled.get();
        if (action == ChainAction.APPROVE
                && result.getPayload() instanceof TxConfirmed
                && !isStartTopUp(command)) {
            return execute(command); // the approve is done; the process step follows
        }
        return result;
    }

    /**
     * Rebroadcasts the command's journaled transactions below {@code nonce} that are neither mined
     * nor known to the node (an allowance top-up sent in a wave just before its process, lost in a
     * crash): the process after it would otherwise wait behind a nonce gap.
     */
    private void rebroadcastEarlier(ChainCommand command, List<JournalTx> sent, long nonce)
            throws IOException {
        if (sent.stream().noneMatch(t -> t.getNonce() < nonce)) {
            return;
        }
        long mined = sender.minedNonce();
        for (JournalTx t : sent) {
            if (t.getNonce() < nonce && t.getNonce() >= mined) {
                Signed earlier = signed(t);
                if (!sender.known(earlier.hash())) {
                    try {
                        sender.send(earlier);
                        sender.settled(List.of(earlier));
                        log.info(
                                "Rebroadcast an earlier transaction of a resumed command"
                                        + " [commandId:{}, action:{}, nonce:{}]",
                                command.getCommandId(),
                                t.getAction(),
                                t.getNonce());
                    } catch (TxSender.RejectedException e) {
                        log.warn(
                                "Node refused an earlier transaction of a resumed command"
                                        + " [commandId:{}, nonce:{}]: {}",
                                command.getCommandId(),
                                t.getNonce(),
                                e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Journals {@code tx} (with its {@code TxSent}) before it is broadcast: the command's entry
     * gains the transaction, in one Kafka transaction with the result.
     */
    private void journalSent(ChainCommand command, Signed tx, String replaces) {
        TxJournal entry = withTx(command, tx);
        publisher.journal(List.of(entry), List.of(results.sent(command, tx, replaces)));
        journal.put(entry);
        metrics.tx("sent", tx.step().action().name(), replaces == null ? "" : "replacement");
    }

    private TxJournal newEntry(ChainCommand command) {
        return TxJournal.newBuilder()
                .setCommandId(command.getCommandId())
                .setAccount(config.account())
                .setJobId(CommandPlanner.jobIdOf(command))
                .setAt(results.now())
                .setTxs(List.of())
                .setOutcome(null)
                .build();
    }

    /** A journaled transaction as it was signed: its step read back from the signed bytes. */
    private static Signed signed(JournalTx t) {
        RawTransaction decoded = TransactionDecoder.decode(t.getRawTx());
        return new Signed(
                new Step(t.getAction(), decoded.getTo(), decoded.getData()),
                t.getNonce(),
                new Fees(
                        t.getMaxFeePerGas().toBigInteger(),
                        t.getMaxPriorityFeePerGas().toBigInteger()),
                t.getGasLimit(),
                t.getTxHash(),
                t.getRawTx());
    }

    /** Calls of one shape cost the same gas on one state: same action, contract, calldata size. */
    static String shape(Step step) {
        return step.action() + " " + step.to() + " " + step.data().length();
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    private static void haltIf(String point) {
        if (point.equals(HALT_AT)) {
            log.error("Halting at '{}' ({} is set; crash test)", point, HALT_AT_PROPERTY);
            Runtime.getRuntime().halt(137);
        }
    }

    private void record(ChainTxResult outcome) {
        if (outcome.getPayload() instanceof TxFailed f) {
            metrics.tx("failed", outcome.getAction().name(), f.getKind().name());
            log.warn(
                    "Command failed [commandId:{}, action:{}, kind:{}, reason:{}]",
                    outcome.getCommandId(),
                    outcome.getAction(),
                    f.getKind(),
                    f.getReason());
        } else {
            metrics.tx("confirmed", outcome.getAction().name(), "");
            log.info(
                    "Command confirmed [commandId:{}, action:{}, tx:{}]",
                    outcome.getCommandId(),
                    outcome.getAction(),
                    ((TxConfirmed) outcome.getPayload()).getTxHash());
        }
    }
}
