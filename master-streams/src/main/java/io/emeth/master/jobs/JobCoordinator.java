package io.emeth.master.jobs;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.routing.Inputs;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.JobCanceled;
import io.emeth.schemas.avro.chain.JobEventsRewound;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.master.JobRecordState;
import io.emeth.schemas.avro.training.TrainingEvent;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job coordinator ({@value #NAME}), keyed by jobId so that jobs spread over every partition and
 * instance: consumes {@code chain-job-events}, {@code training-events} and the internal {@code
 * job-inbox}, and runs each job's state machine from REQUESTED through matching, the chain's
 * PROCESSING, every epoch's round, the result and the chain's outcome ({@link ChainEvents}, {@link
 * TrainingEvents}, {@link InboxEvents}), and undoes chain events a reorg took back ({@link
 * ChainRewinds}); its {@link JobTimers} punctuator drops an aggregator that stalls. Produces {@code
 * RoundOpened}, {@code SubmitResult} / {@code DeclineJob}, {@code job-status} views and requests to
 * the pool.
 */
public final class JobCoordinator implements Processor<String, Object, String, Object> {
    public static final String NAME = "job-coordinator";
    public static final String JOBS_STORE = Jobs.JOBS_STORE;
    public static final String TIMERS_STORE = Jobs.TIMERS_STORE;

    private static final Logger log = LoggerFactory.getLogger(JobCoordinator.class);

    private final MasterStreamsConfig config;
    private Jobs jobs;
    private ChainEvents chain;
    private TrainingEvents training;
    private InboxEvents inbox;
    private ChainRewinds rewinds;

    public JobCoordinator(MasterStreamsConfig config) {
        this.config = config;
    }

    /**
     * The stores this processor needs, persistent and changelogged; job records in Avro through the
     * registry of {@code topics}. The job store is cached: a job written several times between two
     * commits (requested, opened, matched) goes to its changelog once (4.7 → 2.4–2.8 changelog
     * records per matched job in the matching benchmark).
     */
    public static List<StoreBuilder<?>> stores(Topics topics) {
        return List.of(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(JOBS_STORE),
                                Serdes.String(),
                                MasterSerde.of(topics, JobRecord.class, JobRecordState.class))
                        .withCachingEnabled(),
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(TIMERS_STORE),
                        Serdes.String(),
                        Serdes.String()));
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        jobs = new Jobs(context, config);
        chain = new ChainEvents(jobs);
        training = new TrainingEvents(jobs);
        inbox = new InboxEvents(jobs);
        rewinds = new ChainRewinds(jobs);
        context.schedule(
                config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, new JobTimers(jobs));
    }

    @Override
    public void process(Record<String, Object> record) {
        Object value = record.value();
        if (value instanceof ChainJobEvent event) {
            onChainEvent(record.key(), event);
        } else if (value instanceof TrainingEvent event) {
            String jobId = jobId(record.key(), event.getJobId());
            JobRecord rec = jobId == null ? null : jobs.load(jobId);
            if (rec == null) {
                log.warn(
                        "Training event for an unknown job ignored [jobId:{}, worker:{}]",
                        Inputs.clip(event.getJobId(), 80),
                        Inputs.clip(event.getWorker(), 60));
                return;
            }
            training.on(rec, event);
        } else if (value instanceof JobMessage message) {
            JobRecord rec = jobs.load(message.jobId());
            if (rec != null) {
                inbox.on(rec, message);
            }
        }
    }

    private void onChainEvent(String key, ChainJobEvent event) {
        String jobId = jobId(key, event.getJobId());
        if (jobId == null) {
            log.warn(
                    "Chain event with a bad job id ignored [jobId:{}]",
                    Inputs.clip(event.getJobId(), 80));
            return;
        }
        Object payload = event.getPayload();
        if (payload instanceof JobRequested request) {
            chain.onRequested(jobId, request);
            rewinds.note(jobId, event);
            return;
        }
        JobRecord rec = jobs.load(jobId);
        if (rec == null) {
            return; // a job this master never saw requested
        }
        if (payload instanceof JobCanceled) {
            chain.onCanceled(rec);
        } else if (payload instanceof JobStatusChanged change) {
            chain.onStatusChanged(rec, change);
        } else if (payload instanceof JobEventsRewound rewound) {
            rewinds.onRewound(rec, rewound);
            return;
        }
        rewinds.note(jobId, event);
    }

    /** The record's job id, which must agree with the one in the value. */
    private static String jobId(String key, String inValue) {
        String fromKey = Inputs.jobId(key);
        String fromValue = Inputs.jobId(inValue);
        if (fromValue == null || (fromKey != null && !fromKey.equals(fromValue))) {
            return null;
        }
        return fromValue;
    }
}
