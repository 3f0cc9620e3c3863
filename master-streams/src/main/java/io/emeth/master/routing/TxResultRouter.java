package io.emeth.master.routing;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.Outbox;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainTxResult;
import io.emeth.schemas.avro.gateway.TxConfirmed;
import io.emeth.schemas.avro.gateway.TxFailed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Consumes {@code chain-tx-results} (keyed by command id) and forwards the outcome of this
 * account's job commands ({@code TxConfirmed}, {@code TxFailed}) to the job, keyed by jobId; a
 * failed {@code ProcessJob} must free the job's workers without waiting for the chain.
 */
public final class TxResultRouter implements Processor<String, ChainTxResult, String, Object> {
    public static final String NAME = "tx-results-router";

    private final MasterStreamsConfig config;
    private Outbox outbox;

    public TxResultRouter(MasterStreamsConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.outbox = new Outbox(context);
    }

    @Override
    public void process(Record<String, ChainTxResult> record) {
        ChainTxResult result = record.value();
        if (result == null
                || !config.poolId().equalsIgnoreCase(result.getAccount())
                || result.getAction() == ChainAction.APPROVE
                || result.getAction() == ChainAction.WITHDRAW_SLOT_REWARD) {
            return;
        }
        String jobId = Inputs.jobId(result.getJobId());
        if (jobId == null) {
            return;
        }
        if (result.getPayload() instanceof TxConfirmed) {
            outbox.toJob(
                    new JobMessage.TxOutcome(
                            jobId, result.getCommandId(), result.getAction(), true, null));
        } else if (result.getPayload() instanceof TxFailed failed) {
            outbox.toJob(
                    new JobMessage.TxOutcome(
                            jobId,
                            result.getCommandId(),
                            result.getAction(),
                            false,
                            Inputs.clip(failed.getKind() + ": " + failed.getReason(), 512)));
        }
    }
}
