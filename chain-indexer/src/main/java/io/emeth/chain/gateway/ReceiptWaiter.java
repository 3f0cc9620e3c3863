package io.emeth.chain.gateway;

import io.emeth.chain.gateway.TxSender.Signed;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.TxFailureKind;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Waits for the receipt of a sent transaction: polls every variant sent with its nonce, replaces
 * the latest with higher fees each time it stays pending past the timeout (journaling the
 * replacement first), and turns the receipt into {@code TxConfirmed} or {@code TxFailed REVERTED}.
 */
final class ReceiptWaiter {
    private static final Logger log = LoggerFactory.getLogger(ReceiptWaiter.class);

    /** How long a counted nonce's receipt may lag before the nonce is taken as used by another. */
    static final Duration NONCE_GRACE = Duration.ofSeconds(3);

    private static final Duration NONCE_GRACE_STEP = Duration.ofMillis(100);

    private final GatewayConfig config;
    private final TxSender sender;
    private final Results results;
    private final BooleanSupplier running;
    private final Journaler journaler;

    /** Journals a signed transaction (and publishes its {@code TxSent}) before it is broadcast. */
    @FunctionalInterface
    interface Journaler {
        void sent(ChainCommand command, Signed tx, String replacesTxHash);
    }

    /** {@code journaler} journals a replacement before it is broadcast (write-ahead). */
    ReceiptWaiter(
            GatewayConfig config,
            TxSender sender,
            Results results,
            BooleanSupplier running,
            Journaler journaler) {
        this.config = config;
        this.sender = sender;
        this.results = results;
        this.running = running;
        this.journaler = journaler;
    }

    /** Waits for a receipt of any variant, replacing the latest past the timeout. */
    ChainTxResult await(ChainCommand command, List<Signed> variants)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + config.txTimeout().toNanos();
        while (true) {
            Optional<ChainTxResult> done = settled(command, variants);
            if (done.isPresent()) {
                return done.get();
            }
            Signed latest = variants.get(variants.size() - 1);
            if (sender.minedNonce() > latest.nonce()) {
                done = settledWithinGrace(command, variants);
                sender.settled(variants);
                return done.orElseGet(
                        () ->
                                results.failed(
                                        command,
                                        latest.step().action(),
                                        TxFailureKind.ERROR,
                                        "nonce "
                                                + latest.nonce()
                                                + " was used by a transaction this gateway did not send",
                                        latest.hash()));
            }
            if (System.nanoTime() > deadline && variants.size() <= config.maxReplacements()) {
                replace(command, variants);
                deadline = System.nanoTime() + config.txTimeout().toNanos();
            }
            if (!running.getAsBoolean()) {
                throw new InterruptedException("gateway stopping; the command resumes on restart");
            }
            Thread.sleep(config.pollInterval().toMillis());
        }
    }

    /**
     * The receipt of a nonce the chain already counts as mined. A node can count the nonce a moment
     * before it serves the receipts of the block that used it (anvil mining a block per transaction
     * under load does), so only a receipt still missing after {@link #NONCE_GRACE} means another
     * transaction took the nonce.
     */
    private Optional<ChainTxResult> settledWithinGrace(ChainCommand command, List<Signed> variants)
            throws IOException, InterruptedException {
        long giveUp = System.nanoTime() + NONCE_GRACE.toNanos();
        while (true) {
            Optional<ChainTxResult> done = settled(command, variants);
            if (done.isPresent() || System.nanoTime() > giveUp) {
                return done;
            }
            Thread.sleep(NONCE_GRACE_STEP.toMillis()); // polling the node; receipts are not pushed
        }
    }

    private void replace(ChainCommand command, List<Signed> variants) throws IOException {
        Signed latest = variants.get(variants.size() - 1);
        Fees fees = latest.fees().bumped(config.feeBumpPercent(), sender.currentFees());
        if (fees.maxFeePerGas().compareTo(config.maxFeeCeilingWei()) > 0) {
            log.warn(
                    "Not replacing a stuck transaction: the bumped fee is above the ceiling,"
                            + " waiting [commandId:{}, tx:{}, maxFee:{}, ceiling:{}]",
                    command.getCommandId(),
                    latest.hash(),
                    fees.maxFeePerGas(),
                    config.maxFeeCeilingWei());
            return;
        }
        Signed replacement = sender.sign(latest.step(), latest.nonce(), fees, latest.gasLimit());
        journaler.sent(command, replacement, latest.hash());
        try {
            sender.send(replacement);
            variants.add(replacement);
            log.info(
                    "Replaced a stuck transaction [commandId:{}, old:{}, new:{}, maxFee:{}]",
                    command.getCommandId(),
                    latest.hash(),
                    replacement.hash(),
                    fees.maxFeePerGas());
        } catch (TxSender.RejectedException e) {
            // still waiting on the earlier ones; the next timeout bumps again
            variants.add(replacement);
            log.warn(
                    "Node refused the replacement [commandId:{}, tx:{}]: {}",
                    command.getCommandId(),
                    replacement.hash(),
                    e.getMessage());
        }
    }

    Optional<ChainTxResult> settled(ChainCommand command, List<Signed> variants)
            throws IOException {
        Optional<ChainTxResult> result = receiptOf(command, variants);
        if (result.isPresent()) {
            sender.settled(variants);
        }
        return result;
    }

    private Optional<ChainTxResult> receiptOf(ChainCommand command, List<Signed> variants)
            throws IOException {
        for (Signed v : variants) {
            Optional<TransactionReceipt> receipt = sender.receipt(v.hash());
            if (receipt.isPresent()) {
                TransactionReceipt r = receipt.get();
                if (r.isStatusOK()) {
                    return Optional.of(results.confirmed(command, v.step().action(), r));
                }
                return Optional.of(
                        results.failed(
                                command,
                                v.step().action(),
                                TxFailureKind.REVERTED,
                                sender.revertReason(v.step(), r),
                                v.hash()));
            }
        }
        return Optional.empty();
    }
}
