package io.emeth.master.routing;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.Outbox;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.worker.WorkerEvent;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerLeft;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code worker-events} (keyed by worker), keeps this master's pool, checks each
 * registration ({@link RegistrationCheck}: signature, age, whitelist, values) and forwards the
 * worker's facts to {@code pool-inbox} keyed by pool. It exists so that the costly signature
 * recovery runs spread over the worker-keyed partitions, not in the one partition that matches the
 * pool.
 *
 * <p>Heartbeats are gathered for {@code heartbeat_batch_ms} (a wall-clock punctuator) and sent as
 * one {@link PoolMessage.Heartbeats} record, each with its arrival time, so the pool's single
 * partition reads one record per batch instead of one per heartbeat. Any other fact of this task
 * first sends the gathered heartbeats, so a worker's facts reach the pool in their order. A
 * heartbeat is a repeated report of the worker's state: the few gathered when the task stops or
 * crashes before the next batch are lost, and the worker's next heartbeat says the same.
 */
public final class WorkerEventRouter implements Processor<String, WorkerEvent, String, Object> {
    public static final String NAME = "worker-events-router";
    private static final Logger log = LoggerFactory.getLogger(WorkerEventRouter.class);

    /** At most this many heartbeats per batch record (≈ 100 bytes each). */
    static final int MAX_BATCH = 2_000;

    /** Addresses already checksummed (a keccak each), bounded. */
    private static final int MAX_KNOWN_ADDRESSES = 100_000;

    private final MasterStreamsConfig config;
    private final WorkerWhitelist whitelist;
    private final boolean batching;
    private final List<PoolMessage.ArrivedHeartbeat> beats = new ArrayList<>();
    private final Map<String, String> checksummed = new HashMap<>();
    private long newestArrival;
    private Outbox outbox;

    public WorkerEventRouter(MasterStreamsConfig config) {
        this.config = config;
        this.whitelist = WorkerWhitelist.of(config.master().workerWhitelist());
        this.batching = !config.heartbeatBatch().isZero();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.outbox = new Outbox(context);
        if (batching) {
            context.schedule(
                    config.heartbeatBatch(),
                    PunctuationType.WALL_CLOCK_TIME,
                    now -> sendHeartbeats());
        }
    }

    @Override
    public void process(Record<String, WorkerEvent> record) {
        WorkerEvent event = record.value();
        if (event == null) {
            return;
        }
        String pool = config.poolId();
        if (!pool.equalsIgnoreCase(event.getPool())) {
            log.debug(
                    "Ignored a worker event of another pool [worker:{}, pool:{}]",
                    Inputs.clip(event.getWorker(), 60),
                    Inputs.clip(event.getPool(), 60));
            return;
        }
        String worker = address(event.getWorker());
        if (worker == null || (record.key() != null && !worker.equalsIgnoreCase(record.key()))) {
            log.warn(
                    "Ignored a worker event with a bad worker address [worker:{}, key:{}]",
                    Inputs.clip(event.getWorker(), 60),
                    Inputs.clip(record.key(), 60));
            return;
        }
        PoolMessage message = toMessage(worker, event, record.timestamp());
        if (message instanceof PoolMessage.Heartbeat h && batching) {
            beats.add(new PoolMessage.ArrivedHeartbeat(h, record.timestamp()));
            newestArrival = Math.max(newestArrival, record.timestamp());
            if (beats.size() >= MAX_BATCH) {
                sendHeartbeats();
            }
        } else if (message != null) {
            sendHeartbeats(); // the worker's earlier heartbeats go first
            outbox.toPool(pool, message, record.timestamp());
        }
    }

    /** Sends the gathered heartbeats as one record stamped with the newest arrival. */
    private void sendHeartbeats() {
        if (beats.isEmpty()) {
            return;
        }
        outbox.toPool(config.poolId(), new PoolMessage.Heartbeats(beats), newestArrival);
        beats.clear();
        newestArrival = 0;
    }

    /** {@link Inputs#address}, remembered: a worker heartbeats every few seconds. */
    private String address(String raw) {
        if (raw == null) {
            return null;
        }
        String known = checksummed.get(raw);
        if (known != null) {
            return known;
        }
        String address = Inputs.address(raw);
        if (address != null) {
            if (checksummed.size() >= MAX_KNOWN_ADDRESSES) {
                checksummed.clear();
            }
            checksummed.put(raw, address);
        }
        return address;
    }

    /**
     * {@code arrivedAt} is the record's timestamp, when the event reached Kafka ({@code
     * worker-events} uses the broker's append time): a registration's age is judged against it, not
     * against when this master gets to it, so a master catching up after a failover does not refuse
     * every registration that waited in the topic.
     */
    private PoolMessage toMessage(String worker, WorkerEvent event, long arrivedAt) {
        long at = event.getAt().toEpochMilli();
        Object payload = event.getPayload();
        if (payload instanceof WorkerRegistered reg) {
            String problem = RegistrationCheck.problem(worker, reg, arrivedAt, whitelist);
            if (problem != null) {
                log.warn("Rejected worker registration [worker:{}, reason:{}]", worker, problem);
                return new PoolMessage.RegistrationRejected(
                        worker,
                        at,
                        problem,
                        reg.getPowerCapacity(),
                        Inputs.clip(reg.getDevice(), 64),
                        Inputs.clip(reg.getUrl(), 256));
            }
            return new PoolMessage.WorkerRegistration(
                    worker,
                    at,
                    reg.getPowerCapacity(),
                    reg.getDevice(),
                    reg.getUrl(),
                    reg.getHeartbeatIntervalMs(),
                    reg.getModels() == null ? List.of() : reg.getModels());
        }
        if (payload instanceof WorkerHeartbeat hb) {
            double progress = hb.getProgress();
            progress = Double.isFinite(progress) ? Math.max(0, Math.min(1, progress)) : 0;
            WorkerPhase phase = hb.getPhase() == null ? WorkerPhase.NONE : hb.getPhase();
            return new PoolMessage.Heartbeat(
                    worker,
                    at,
                    phase,
                    Inputs.jobId(hb.getJobId()),
                    hb.getAttempt(),
                    hb.getEpoch(),
                    progress);
        }
        if (payload instanceof WorkerLeft left) {
            return new PoolMessage.WorkerLeft(worker, at, Inputs.clip(left.getReason(), 256));
        }
        log.warn("Ignored an unknown worker event [worker:{}]", worker);
        return null;
    }
}
