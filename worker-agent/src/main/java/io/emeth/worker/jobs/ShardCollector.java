package io.emeth.worker.jobs;

import io.emeth.schemas.Topic;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.worker.assignments.KeyPartition;
import io.emeth.worker.events.TrainingEventSigning;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's reader of one job's {@code training-events}: the partition of the job id only,
 * from a little before the assignment (so a restarted or newly named aggregator also finds the
 * shards and rounds published while it was away), keeping the attempt's {@code ShardTrained},
 * {@code RoundAggregated} and {@code ResultUploaded} events whose signature is their worker's. A
 * forged or unsigned event is logged and ignored. Not thread-safe: the job's thread owns it.
 */
final class ShardCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardCollector.class);

    /** How far before the assignment's timestamp reading starts, for producers' clock skew. */
    static final Duration LOOK_BACK = Duration.ofMinutes(5);

    /** One worker's shard of a round. */
    record Shard(String worker, ShardTrained event) {}

    private final KafkaConsumer<String, TrainingEvent> consumer;
    private final String jobId;
    private final int attempt;
    private final Map<Integer, Map<String, Shard>> shards = new HashMap<>();

    /** Per epoch, every validly signed round of this attempt, whoever published it. */
    private final Map<Integer, List<TrainingEvent>> rounds = new HashMap<>();

    /** Per epoch, every validly signed round of earlier attempts (a re-planned job resumes). */
    private final Map<Integer, List<TrainingEvent>> earlierRounds = new HashMap<>();

    private final TopicPartition partition;
    private boolean readEarlierAttempts;
    private final Set<TrainingEvent> ignored = new HashSet<>();
    private TrainingEvent result;

    ShardCollector(
            Map<String, Object> kafkaProperties,
            Topic<String, TrainingEvent> topic,
            String jobId,
            int attempt,
            long fromTimestampMs) {
        this.jobId = jobId;
        this.attempt = attempt;
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "emeth-worker-rounds-" + jobId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer =
                new KafkaConsumer<>(
                        props, new StringDeserializer(), topic.valueSerde().deserializer());
        List<PartitionInfo> partitions =
                consumer.partitionsFor(topic.name(), Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("topic " + topic.name() + " does not exist");
        }
        TopicPartition tp =
                new TopicPartition(topic.name(), KeyPartition.of(jobId, partitions.size()));
        consumer.assign(List.of(tp));
        this.partition = tp;
        long from = Math.max(0, fromTimestampMs - LOOK_BACK.toMillis());
        OffsetAndTimestamp offset =
                consumer.offsetsForTimes(Map.of(tp, from), Duration.ofSeconds(30)).get(tp);
        if (offset == null) {
            consumer.seekToEnd(List.of(tp));
        } else {
            consumer.seek(tp, offset.offset());
        }
    }

    /** Reads what arrives within {@code timeout}. */
    void poll(Duration timeout) {
        try {
            for (ConsumerRecord<String, TrainingEvent> record : consumer.poll(timeout)) {
                accept(record.value());
            }
        } catch (RecordDeserializationException e) {
            log.warn(
                    "Skipped an unreadable training event [jobId:{}, offset:{}, error:{}]",
                    jobId,
                    e.offset(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
        }
    }

    private void accept(TrainingEvent event) {
        if (event == null || !jobId.equalsIgnoreCase(event.getJobId())) {
            return;
        }
        if (event.getAttempt() < attempt && event.getPayload() instanceof RoundAggregated round) {
            acceptEarlier(event, round);
            return;
        }
        if (event.getAttempt() != attempt) {
            return;
        }
        Object payload = event.getPayload();
        if (!(payload instanceof ShardTrained)
                && !(payload instanceof RoundAggregated)
                && !(payload instanceof ResultUploaded)) {
            return;
        }
        if (!signedByItsWorker(event)) {
            return;
        }
        if (payload instanceof ShardTrained shard) {
            shards.computeIfAbsent(shard.getEpoch(), e -> new LinkedHashMap<>())
                    .putIfAbsent(key(event.getWorker()), new Shard(event.getWorker(), shard));
        } else if (payload instanceof RoundAggregated round) {
            add(rounds, round.getEpoch(), event);
        } else if (result == null) {
            result = event;
        }
    }

    /**
     * The first validly signed shard of each worker for {@code epoch}, keyed by lower-case address.
     */
    Map<String, Shard> shards(int epoch) {
        return shards.getOrDefault(epoch, Map.of());
    }

    /**
     * The first validly signed {@code RoundAggregated} of {@code epoch} in this attempt published
     * by {@code aggregator} (the round's designated aggregator), or null. A round another key
     * published is logged and never adopted: any signed participant can publish one.
     */
    TrainingEvent round(int epoch, String aggregator) {
        TrainingEvent found = null;
        for (TrainingEvent event : rounds.getOrDefault(epoch, List.of())) {
            if (key(event.getWorker()).equals(key(aggregator))) {
                found = found == null ? event : found;
            } else if (ignored.add(event)) {
                log.warn(
                        "Ignored a RoundAggregated from a worker that is not the round's"
                                + " aggregator [jobId:{}, epoch:{}, worker:{}, aggregator:{}]",
                        jobId,
                        epoch,
                        event.getWorker(),
                        aggregator);
            }
        }
        return found;
    }

    /**
     * The round of {@code epoch} (this attempt's or an earlier one's, the latest attempt first)
     * whose link {@code h_epoch} chains to the known next link: {@code next.link == link(h_epoch,
     * epoch + 1, next model's sha256)}. Only the round the chain was built on matches, so a forged
     * round from any key is never taken. When none matches, reads the job's partition from its
     * start once, since this reader began only a little before the assignment.
     */
    TrainingEvent roundLinkedTo(int epoch, ChainLink next) {
        TrainingEvent event = matching(epoch, next);
        if (event == null && !readEarlierAttempts) {
            readEarlierAttempts = true;
            readFromStart(Duration.ofSeconds(60));
            event = matching(epoch, next);
        }
        return event;
    }

    /**
     * The validly signed rounds of {@code epoch} (this attempt's, then earlier ones', the latest
     * first) that claim {@code link}; a claim is only as good as its chain, which the caller
     * checks. Reads the partition from its start once when none is found.
     */
    List<TrainingEvent> roundsWithLink(int epoch, String link) {
        List<TrainingEvent> found = withLink(epoch, link);
        if (found.isEmpty() && !readEarlierAttempts) {
            readEarlierAttempts = true;
            readFromStart(Duration.ofSeconds(60));
            found = withLink(epoch, link);
        }
        return found;
    }

    private List<TrainingEvent> withLink(int epoch, String link) {
        return candidates(epoch).stream()
                .filter(
                        e ->
                                link.equalsIgnoreCase(
                                        ((RoundAggregated) e.getPayload()).getHashChainLink()))
                .toList();
    }

    private List<TrainingEvent> candidates(int epoch) {
        List<TrainingEvent> candidates = new ArrayList<>(rounds.getOrDefault(epoch, List.of()));
        List<TrainingEvent> earlier = new ArrayList<>(earlierRounds.getOrDefault(epoch, List.of()));
        earlier.sort(Comparator.comparingInt(TrainingEvent::getAttempt).reversed());
        candidates.addAll(earlier);
        return candidates;
    }

    private TrainingEvent matching(int epoch, ChainLink next) {
        for (TrainingEvent event : candidates(epoch)) {
            if (next.follows(((RoundAggregated) event.getPayload()).getHashChainLink())) {
                return event;
            }
        }
        return null;
    }

    private void acceptEarlier(TrainingEvent event, RoundAggregated round) {
        if (!signedByItsWorker(event)) {
            return;
        }
        add(earlierRounds, round.getEpoch(), event);
    }

    private static void add(Map<Integer, List<TrainingEvent>> map, int epoch, TrainingEvent e) {
        List<TrainingEvent> list = map.computeIfAbsent(epoch, k -> new ArrayList<>());
        if (!list.contains(e)) {
            list.add(e);
        }
    }

    /** Whether the event's signature is its worker's; logs and refuses it otherwise. */
    private boolean signedByItsWorker(TrainingEvent event) {
        String problem = TrainingEventSigning.problem(event);
        if (problem != null) {
            log.warn(
                    "Ignored a training event with a bad signature [jobId:{}, worker:{}, problem:{}]",
                    jobId,
                    event.getWorker(),
                    problem);
            return false;
        }
        return true;
    }

    /** Re-reads the partition from its start up to where this reader is (events are idempotent). */
    private void readFromStart(Duration limit) {
        long now = consumer.position(partition);
        long deadline = System.nanoTime() + limit.toNanos();
        log.info(
                "Reading the job's earlier attempts for its hash chain [jobId:{}, attempt:{}, upTo:{}]",
                jobId,
                attempt,
                now);
        consumer.seekToBeginning(List.of(partition));
        while (consumer.position(partition) < now && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(500));
        }
    }

    /** The first validly signed {@code ResultUploaded} of this attempt, or null. */
    TrainingEvent result() {
        return result;
    }

    static String key(String address) {
        return address == null ? "" : address.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
