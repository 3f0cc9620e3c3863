package io.emeth.chain.gateway;

import io.emeth.chain.gateway.TxSender.Signed;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.gateway.TxFailed;
import io.emeth.schemas.avro.gateway.TxFailureKind;
import io.emeth.schemas.avro.gateway.TxSent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one command to its outcome: skips a command id that already has one, resumes a command
 * whose transaction a crashed gateway recorded (by nonce and receipt, never sending a second one),
 * or checks the chain, sends each step with a write-ahead {@code TxSent}, replaces a transaction
 * stuck past the timeout, and waits for the receipt.
 */
final class CommandHandler {
    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);
    private static final int REMEMBERED = 10_000;

    /** What became of a command: its outcome record. */
    record Outcome(ChainTxResult result) {}

    private final GatewayConfig config;
    private final CommandPlanner planner;
    private final ChainState state;
    private final TxSender sender;
    private final ResultPublisher publisher;
    private final ResultHistory history;
    private final Results results;
    private final GatewayMetrics metrics;
    private final ReceiptWaiter receipts;
    private final Map<String, Boolean> finished =
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            };

    CommandHandler(
            GatewayConfig config,
            CommandPlanner planner,
            ChainState state,
            TxSender sender,
            ResultPublisher publisher,
            ResultHistory history,
            Results results,
            GatewayMetrics metrics,
            BooleanSupplier running) {
        this.config = config;
        this.planner = planner;
        this.state = state;
        this.sender = sender;
        this.publisher = publisher;
        this.history = history;
        this.results = results;
        this.metrics = metrics;
        this.receipts =
                new ReceiptWaiter(
                        config,
                        sender,
                        results,
                        running,
                        (result, kind) -> publish(result, "sent", result.getAction(), kind));
    }

    /**
     * The outcome of {@code command} (issued at {@code issuedAtMillis}, the record's time), or
     * empty when it needs none: another account's command, or a duplicate of a finished one.
     */
    Optional<Outcome> handle(ChainCommand command, long issuedAtMillis)
            throws IOException, InterruptedException {
        if (command == null || !config.account().equalsIgnoreCase(command.getAccount())) {
            return Optional.empty();
        }
        String id = command.getCommandId();
        if (finished.containsKey(id)) {
            return duplicate(command);
        }
        List<ChainTxResult> past =
                history.of(id, issuedAtMillis).stream()
                        .filter(r -> config.account().equalsIgnoreCase(r.getAccount()))
                        .toList();
        if (past.stream().anyMatch(Results::isOutcome)) {
            finished.put(id, true);
            return duplicate(command);
        }
        List<ChainTxResult> sent =
                past.stream().filter(r -> r.getPayload() instanceof TxSent).toList();
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
        finished.put(id, true);
        record(outcome);
        return Optional.of(new Outcome(outcome));
    }

    private Optional<Outcome> duplicate(ChainCommand command) {
        metrics.duplicate();
        log.info(
                "Skipped a command that already has an outcome [commandId:{}, jobId:{}]",
                command.getCommandId(),
                CommandPlanner.jobIdOf(command));
        return Optional.empty();
    }

    /** Checks the chain and sends the command's steps in order. */
    private ChainTxResult execute(ChainCommand command) throws IOException, InterruptedException {
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
            publish(results.sent(command, tx, null), "sent", step.action(), "");
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
     * Picks up a command whose {@code TxSent} a previous run recorded: the last recorded nonce is
     * settled by receipt (or its transaction rebroadcast unchanged), never replaced by a new one.
     */
    private ChainTxResult resume(ChainCommand command, List<ChainTxResult> sent)
            throws IOException, InterruptedException {
        long nonce =
                sent.stream()
                        .mapToLong(r -> ((TxSent) r.getPayload()).getNonce())
                        .max()
                        .orElseThrow();
        List<ChainTxResult> group =
                sent.stream().filter(r -> ((TxSent) r.getPayload()).getNonce() == nonce).toList();
        ChainAction action = group.get(0).getAction();
        Step step = planner.stepFor(command, action, state);
        List<Signed> variants = new ArrayList<>();
        for (ChainTxResult r : group) {
            TxSent s = (TxSent) r.getPayload();
            Signed rebuilt =
                    sender.sign(
                            step,
                            nonce,
                            new Fees(
                                    s.getMaxFeePerGas().toBigInteger(),
                                    s.getMaxPriorityFeePerGas().toBigInteger()),
                            s.getGasLimit());
            if (!rebuilt.hash().equalsIgnoreCase(s.getTxHash())) {
                log.warn(
                        "Rebuilt transaction differs from the recorded one [commandId:{},"
                                + " recorded:{}, rebuilt:{}]",
                        command.getCommandId(),
                        s.getTxHash(),
                        rebuilt.hash());
            }
            variants.add(rebuilt);
        }
        variants.sort(Comparator.comparing(v -> v.fees().maxFeePerGas()));
        log.info(
                "Resuming a command sent before a restart [commandId:{}, action:{}, nonce:{},"
                        + " txs:{}]",
                command.getCommandId(),
                action,
                nonce,
                variants.size());
        sender.nonceUsed(nonce);
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
        if (action == ChainAction.APPROVE && result.getPayload() instanceof TxConfirmed) {
            return execute(command); // the approve is done; the process step follows
        }
        return result;
    }

    private void publish(ChainTxResult result, String what, ChainAction action, String kind) {
        publisher.publish(List.of(result));
        metrics.tx(what, action.name(), kind);
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
