package io.emeth.master.matching;

import io.emeth.master.config.MasterStreamsConfig;
import io.emeth.master.inbox.JobMessage;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.PoolMessage;
import io.emeth.master.rules.JobMath;
import io.emeth.master.testing.TestConfigs;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The pool matcher in process (not a test): {@link PoolProcessor} on in-memory stores with {@link
 * MockProcessorContext}, no Kafka, no serialisation of records (stores still serialise). {@code
 * bench.workers} workers of mixed capacity (20–200, seeded), then {@code bench.warmup} jobs
 * (reported as the cold pass: the JIT compiles the matcher meanwhile, which on a loaded machine
 * takes most of 100,000) and {@code bench.jobs} jobs (the timed pass: a long-running master's
 * matcher), each needing 1 to 8 average workers (its time limit chosen so), fees spread over the
 * window; each matched job is released at once (another node took it), so its workers serve the
 * next. Then {@code bench.pending} jobs no free set can serve wait, and the cost of one weak worker
 * registering (which re-walks the pending jobs) is measured. The jobs' messages are made before the
 * clock starts; the matching thread's CPU time is reported beside the wall time (the machine is
 * shared).
 *
 * <p>Run: {@code mvn -o -B -q -pl master-streams test-compile exec:exec@bench-inprocess}.
 */
public final class InProcessMatchingBench {
    private static final long T0 = 1_900_000_000_000L;

    private InProcessMatchingBench() {}

    public static void main(String[] args) {
        int workers = Integer.getInteger("bench.workers", 10_000);
        int jobs = Integer.getInteger("bench.jobs", 100_000);
        int pending = Integer.getInteger("bench.pending", 20_000);
        int warmup = Integer.getInteger("bench.warmup", 200_000);
        // a log line per match would be what is measured
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.emeth"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        MasterStreamsConfig config = TestConfigs.config("nvm");
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(T0);
        PoolStores.add(context, TestConfigs.mockTopics());
        PoolProcessor processor = new PoolProcessor(config);
        processor.init(context);
        String pool = config.poolId();
        Random random = new Random(42);

        long totalCapacity = 0;
        long t = System.nanoTime();
        for (int i = 0; i < workers; i++) {
            long capacity = 20 + random.nextInt(181);
            totalCapacity += capacity;
            send(
                    processor,
                    pool,
                    new PoolMessage.WorkerRegistration(
                            "0xw" + i, T0, capacity, "cuda", "http://w", null, List.of()));
        }
        double registerSeconds = (System.nanoTime() - t) / 1e9;
        context.resetForwards();
        long average = totalCapacity / workers;

        // warm-up: the same flow on other jobs, so that what is timed is the compiled matcher (a
        // long-running master's), not the JIT at work; its own rate is reported as "cold"
        Pass cold = pass(processor, context, pool, random, average, warmup, "0xee");
        Pass warm = pass(processor, context, pool, random, average, jobs, "0x");

        for (int i = 0; i < pending; i++) {
            String jobId = String.format("0xff%030x", i);
            // needs more than the whole pool: waits until its margin passes
            send(
                    processor,
                    pool,
                    new PoolMessage.JobOpened(plan(jobId, random, totalCapacity * 2), 1));
        }
        context.resetForwards();
        int weak = 20;
        t = System.nanoTime();
        for (int i = 0; i < weak; i++) {
            send(
                    processor,
                    pool,
                    new PoolMessage.WorkerRegistration(
                            "0xweak" + i, T0, 1, "cpu", "http://w", null, List.of()));
            context.resetForwards();
        }
        double weakSeconds = (System.nanoTime() - t) / 1e9;

        System.out.println();
        System.out.println(
                "== pool matcher in process ("
                        + Runtime.getRuntime().availableProcessors()
                        + " cores) ==");
        System.out.printf(
                "%d workers of capacity 20-200 registered in %.2f s%n", workers, registerSeconds);
        if (warmup > 0) {
            System.out.printf(
                    "warm-up (cold JIT): %d jobs, %.0f matches/s (%.2f s), %.0f per CPU second%n",
                    warmup,
                    cold.matched / cold.seconds,
                    cold.seconds,
                    cold.matched / cold.cpuSeconds);
        }
        System.out.printf(
                "%d jobs (1-8 workers each), %d matched with %.2f workers each: %.0f matches/s"
                        + " (%.2f s)%n",
                jobs,
                warm.matched,
                warm.matched == 0 ? 0.0 : (double) warm.workersTaken / warm.matched,
                warm.matched / warm.seconds,
                warm.seconds);
        System.out.printf(
                "  per CPU second of the matching thread: %.0f matches/s (%.2f s CPU)%n",
                warm.matched / warm.cpuSeconds, warm.cpuSeconds);
        System.out.printf(
                "with %d unservable jobs pending: one weak worker registering costs %.1f ms%n",
                pending, weakSeconds * 1000 / weak);
    }

    /** What one timed pass of opened-then-released jobs did and cost. */
    private record Pass(int matched, long workersTaken, double seconds, double cpuSeconds) {}

    /**
     * Opens {@code jobs} jobs one by one, each released (taken by another node) right after its
     * record, so its workers serve the next; the messages are made before the clock starts.
     */
    private static Pass pass(
            PoolProcessor processor,
            MockProcessorContext<String, Object> context,
            String pool,
            Random random,
            long average,
            int jobs,
            String idPrefix) {
        PoolMessage[] opened = new PoolMessage[jobs];
        PoolMessage[] released = new PoolMessage[jobs];
        int digits = 34 - idPrefix.length();
        for (int i = 0; i < jobs; i++) {
            String jobId = idPrefix + String.format("%0" + digits + "x", i);
            int k = 1 + random.nextInt(8);
            opened[i] = new PoolMessage.JobOpened(plan(jobId, random, k * average), 1);
            released[i] = new PoolMessage.JobReleased(jobId, "taken", false);
        }
        int matched = 0;
        long workersTaken = 0;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        long t = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            send(processor, pool, opened[i]);
            for (var f : context.forwarded()) {
                if (f.record().value() instanceof JobMessage.Matched m) {
                    matched++;
                    workersTaken += m.members().size();
                }
            }
            context.resetForwards();
            send(processor, pool, released[i]);
            context.resetForwards();
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        // the machine is shared: CPU time of this thread is what the matcher itself cost
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
        return new Pass(matched, workersTaken, seconds, cpuSeconds);
    }

    /** A job whose margin capacity is about {@code needed}: T = gas·10^6 / needed + 3,600 s. */
    private static JobPlan plan(String jobId, Random random, long needed) {
        long gas = 5;
        long limitMs = gas * 1_000_000_000L / Math.max(1, needed) + 3_600_000 + 1_000;
        BigInteger fee =
                TestConfigs.emt(10)
                        .add(
                                BigInteger.valueOf(random.nextInt(20_000))
                                        .multiply(BigInteger.TEN.pow(15)));
        return new JobPlan(
                jobId,
                fee,
                T0 + limitMs,
                T0,
                8_192,
                "bench.txt",
                0,
                1,
                "en",
                gas,
                JobMath.requiredCapacity(gas, limitMs / 1000));
    }

    private static void send(PoolProcessor processor, String pool, PoolMessage message) {
        processor.process(new Record<>(pool, message, T0));
    }
}
