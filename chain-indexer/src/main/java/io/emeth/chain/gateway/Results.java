package io.emeth.chain.gateway;

import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.gateway.TxFailed;
import io.emeth.schemas.avro.gateway.TxFailureKind;
import io.emeth.schemas.avro.gateway.TxSent;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** Builds the {@code chain-tx-results} records of a command. Pure apart from the clock. */
final class Results {
    private final String account;
    private final Clock clock;

    Results(String account, Clock clock) {
        this.account = account;
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    ChainTxResult sent(ChainCommand command, TxSender.Signed tx, String replacesTxHash) {
        return result(
                command,
                tx.step().action(),
                TxSent.newBuilder()
                        .setTxHash(tx.hash())
                        .setNonce(tx.nonce())
                        .setMaxFeePerGas(new BigDecimal(tx.fees().maxFeePerGas()))
                        .setMaxPriorityFeePerGas(new BigDecimal(tx.fees().maxPriorityFeePerGas()))
                        .setGasLimit(tx.gasLimit())
                        .setTo(Keys.toChecksumAddress(tx.step().to()))
                        .setReplacesTxHash(replacesTxHash)
                        .build());
    }

    ChainTxResult confirmed(ChainCommand command, ChainAction action, TransactionReceipt r) {
        return result(
                command,
                action,
                TxConfirmed.newBuilder()
                        .setTxHash(r.getTransactionHash())
                        .setBlockNumber(r.getBlockNumber().longValueExact())
                        .setGasUsed(r.getGasUsed().longValueExact())
                        .build());
    }

    ChainTxResult failed(
            ChainCommand command,
            ChainAction action,
            TxFailureKind kind,
            String reason,
            String txHash) {
        return result(
                command,
                action,
                TxFailed.newBuilder().setKind(kind).setReason(reason).setTxHash(txHash).build());
    }

    private ChainTxResult result(ChainCommand command, ChainAction action, Object payload) {
        return ChainTxResult.newBuilder()
                .setCommandId(command.getCommandId())
                .setAccount(account)
                .setAt(clock.instant())
                .setAction(action)
                .setJobId(CommandPlanner.jobIdOf(command))
                .setPayload(payload)
                .build();
    }

    static boolean isOutcome(ChainTxResult result) {
        return result.getPayload() instanceof TxConfirmed
                || result.getPayload() instanceof TxFailed;
    }
}
