package io.emeth.master.routing;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.schemas.avro.admin.AdminCommand;
import io.emeth.schemas.avro.admin.DeclineJobRequest;
import io.emeth.schemas.avro.admin.DisconnectWorker;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code admin-commands} and routes each to the processor that owns its subject: {@code
 * DisconnectWorker} to the pool (keyed by pool), {@code DeclineJobRequest} to the job (keyed by
 * jobId), whatever the record's key was.
 */
public final class AdminCommandRouter implements Processor<String, AdminCommand, String, Object> {
    public static final String NAME = "admin-commands-router";
    private static final Logger log = LoggerFactory.getLogger(AdminCommandRouter.class);

    private final MasterStreamsConfig config;
    private Outbox outbox;

    public AdminCommandRouter(MasterStreamsConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.outbox = new Outbox(context);
    }

    @Override
    public void process(Record<String, AdminCommand> record) {
        AdminCommand command = record.value();
        if (command == null) {
            return;
        }
        String by = Inputs.clip(command.getRequestedBy(), 128);
        if (command.getPayload() instanceof DisconnectWorker disconnect) {
            String worker = Inputs.address(disconnect.getWorker());
            if (worker == null) {
                log.warn(
                        "Ignored DisconnectWorker: not a worker address [worker:{}, commandId:{}]",
                        Inputs.clip(disconnect.getWorker(), 60),
                        Inputs.clip(command.getCommandId(), 80));
                return;
            }
            outbox.toPool(
                    config.poolId(),
                    new PoolMessage.DisconnectRequested(worker, command.getCommandId(), by));
        } else if (command.getPayload() instanceof DeclineJobRequest decline) {
            String jobId = Inputs.jobId(decline.getJobId());
            if (jobId == null) {
                log.warn(
                        "Ignored DeclineJobRequest: not a job id [jobId:{}, commandId:{}]",
                        Inputs.clip(decline.getJobId(), 80),
                        Inputs.clip(command.getCommandId(), 80));
                return;
            }
            outbox.toJob(new JobMessage.DeclineRequested(jobId, command.getCommandId(), by));
        }
    }
}
