package io.emeth.admin.sink;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;

/**
 * The sink's health as the health endpoint and the metrics show it: running or not, the last poll
 * and commit, and the last error. Written by the sink thread, read by HTTP threads.
 */
public final class SinkStatus {
    /** A sink that has not polled for this long is reported down. */
    public static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    private volatile boolean running = true;
    private volatile boolean failing;
    private volatile Instant lastPollAt = Instant.now();
    private volatile Instant lastCommitAt;
    private volatile String lastError;
    private volatile String kafkaProblem;
    private volatile long recordsCommitted;

    void polled() {
        lastPollAt = Instant.now();
        kafkaProblem = null;
    }

    /** Kafka cannot be read (unreachable, topics missing); cleared by the next good poll. */
    void kafkaFailed(String problem) {
        lastPollAt = Instant.now();
        kafkaProblem = problem;
    }

    void committed(int records) {
        lastCommitAt = Instant.now();
        failing = false;
        recordsCommitted += records;
    }

    void failed(Exception e) {
        failing = true;
        lastError = e.toString();
    }

    void stopped() {
        running = false;
    }

    void bindTo(MeterRegistry meters) {
        Gauge.builder("emeth_sink_up", this, s -> s.healthy() ? 1 : 0)
                .description("1 while the JDBC sink polls and commits")
                .register(meters);
        Gauge.builder("emeth_sink_records_committed", this, s -> s.recordsCommitted)
                .description("records committed to the database by this process")
                .register(meters);
    }

    /** Running, not failing its last batch, and polling. */
    public boolean healthy() {
        return running
                && !failing
                && kafkaProblem == null
                && Duration.between(lastPollAt, Instant.now()).compareTo(STALL_LIMIT) < 0;
    }

    /** A one-line description: "up", or why not. */
    public String describe() {
        if (!running) {
            return "stopped" + (lastError == null ? "" : ": " + lastError);
        }
        if (failing) {
            return "failing: " + lastError;
        }
        if (kafkaProblem != null) {
            return "cannot read Kafka: " + kafkaProblem;
        }
        if (!healthy()) {
            return "no poll since " + lastPollAt;
        }
        return "up";
    }

    public Instant lastCommitAt() {
        return lastCommitAt;
    }

    public long recordsCommitted() {
        return recordsCommitted;
    }
}
