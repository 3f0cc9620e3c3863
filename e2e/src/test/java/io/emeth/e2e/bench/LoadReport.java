package io.emeth.e2e.bench;

import io.emeth.common.config.MasterConfig;
import io.emeth.deploy.dev.NodeProcesses;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The load drill's numbers: per-job latency from the {@code Request} log to the {@code process}
 * transaction mined (overall and by the minute, where queueing shows), throughput, and each
 * measured process' CPU and memory; printed as text and as ready rows of the README's performance
 * table, and written per job to a CSV file.
 */
final class LoadReport {
    private final LoadDrill.Settings settings;
    private final MasterConfig config;
    private final int cores;

    String loadAtStart;
    String loadAtEnd;
    long startMs;
    long sentMs;
    long endMs;

    private final List<Timing> timings = new ArrayList<>();
    private final List<Long> latencies = new ArrayList<>();
    private final List<Usage> usages = new ArrayList<>();
    private long firstRequestMs = Long.MAX_VALUE;
    private long lastProcessMs;
    private long lastSubmitMs;

    /** When one job's logs were first seen on the chain (epoch ms; null when never). */
    record Timing(String jobId, Long requestMs, Long processMs, Long submitMs) {}

    /** What one process used during the load window; heaps are -1 for a process not a JVM. */
    record Usage(
            String name,
            double cpuSeconds,
            double windowSeconds,
            long hwmKib,
            long rssKib,
            long idleHeapKib,
            long heapKib) {
        double cores() {
            return cpuSeconds / windowSeconds;
        }
    }

    LoadReport(LoadDrill.Settings settings, MasterConfig config, int cores) {
        this.settings = settings;
        this.config = config;
        this.cores = cores;
    }

    void measure(List<LoadRequester.Job> jobs, ChainWatch watch, List<ProcessMeter> processes)
            throws IOException, InterruptedException {
        for (LoadRequester.Job job : jobs) {
            Timing t =
                    new Timing(
                            job.jobId(),
                            watch.requested.get(job.jobId()),
                            watch.processing.get(job.jobId()),
                            watch.submitted.get(job.jobId()));
            timings.add(t);
            if (t.requestMs() != null && t.processMs() != null) {
                latencies.add(t.processMs() - t.requestMs());
                firstRequestMs = Math.min(firstRequestMs, t.requestMs());
                lastProcessMs = Math.max(lastProcessMs, t.processMs());
            }
            if (t.submitMs() != null) {
                lastSubmitMs = Math.max(lastSubmitMs, t.submitMs());
            }
        }
        Collections.sort(latencies);
        double window = (endMs - startMs) / 1000.0;
        for (ProcessMeter p : processes) {
            usages.add(
                    new Usage(
                            p.name,
                            p.cpuInWindow().toMillis() / 1000.0,
                            window,
                            p.statusKib("VmHWM"),
                            p.statusKib("VmRSS"),
                            p.idleHeapKib,
                            p.liveHeapKib()));
        }
    }

    boolean complete() {
        return latencies.size() == timings.size();
    }

    void print(PrintStream out) {
        int jobs = timings.size();
        out.println();
        out.printf(
                "== load drill: %d simulated workers, %,d jobs requested %s (%d cores) ==%n",
                settings.workers(), jobs, rateText(), cores);
        out.printf(
                "chain:       anvil --block-time 1%s; confirmations %d;"
                        + " poll_interval_ms %d (indexer head and gateway receipt polling);"
                        + " max_inflight_txs %d%n",
                settings.mixedMining() ? " --mixed-mining" : "",
                config.confirmations(),
                config.pollInterval().toMillis(),
                config.gateway().maxInflightTxs());
        out.printf(
                "requests:    %,d sent in %.1f s (%.1f/s)%n",
                jobs, (sentMs - startMs) / 1000.0, jobs * 1000.0 / (sentMs - startMs));
        out.printf(
                "latency:     Request log -> `process` mined: p50 %s, p95 %s, p99 %s, max %s"
                        + " (%,d of %,d jobs)%n",
                ms(0.50), ms(0.95), ms(0.99), ms(1.0), latencies.size(), jobs);
        out.printf(
                "throughput:  first Request -> last `process` %.1f s = %.2f jobs/s;"
                        + " last `submit` mined %.1f s after the first Request%n",
                (lastProcessMs - firstRequestMs) / 1000.0,
                throughput(),
                (lastSubmitMs - firstRequestMs) / 1000.0);
        for (Usage u : usages) {
            out.printf(
                    "%-12s CPU %.1f s in %.1f s (%.2f cores avg); RSS peak (VmHWM) %s, now %s;"
                            + " live heap after full GC %s idle -> %s after the load%n",
                    u.name() + ":",
                    u.cpuSeconds(),
                    u.windowSeconds(),
                    u.cores(),
                    mib(u.hwmKib()),
                    mib(u.rssKib()),
                    heap(u.idleHeapKib()),
                    heap(u.heapKib()));
        }
        out.printf("load average: %s at start, %s at the end%n", loadAtStart, loadAtEnd);
        out.println("latency by the minute its Request was mined (a backlog shows here):");
        printByMinute(out);
        out.println();
        out.println("README rows (what | result | command | machine):");
        for (String row : readmeRows()) {
            out.println(row);
        }
    }

    /** One line per job: job id, epoch ms of Request, process and submit seen, latency in ms. */
    void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("job_id,request_ms,process_ms,submit_ms,latency_ms");
        for (Timing t : timings) {
            boolean both = t.requestMs() != null && t.processMs() != null;
            lines.add(
                    String.join(
                            ",",
                            t.jobId(),
                            String.valueOf(t.requestMs()),
                            String.valueOf(t.processMs()),
                            String.valueOf(t.submitMs()),
                            both ? Long.toString(t.processMs() - t.requestMs()) : ""));
        }
        Files.write(file, lines);
        System.out.println("Per-job times: " + file);
    }

    List<String> readmeRows() {
        String command =
                String.format(
                        Locale.ROOT,
                        "`mvn -o -q -pl e2e test-compile exec:exec@load-drill -Dload.workers=%d"
                                + " -Dload.jobs=%d -Dload.rate=%s -Dload.pollMs=%d%s%s`",
                        settings.workers(),
                        timings.size(),
                        rateArg(),
                        settings.pollMs(),
                        settings.mixedMining() ? "" : " -Dload.mixedMining=false",
                        settings.maxInflightTxs() > 0
                                ? " -Dload.maxInflight=" + settings.maxInflightTxs()
                                : "");
        String machine =
                String.format(
                        "%d cores, load avg %s → %s",
                        cores, loadAtStart.split(" ")[0], loadAtEnd.split(" ")[0]);
        String what =
                String.format(
                        "load drill: `Request` log → `process` mined, %d simulated workers, %,d"
                                + " jobs %s on anvil (1 s blocks%s, %d confirmations,"
                                + " poll_interval_ms %d, max_inflight_txs %d)",
                        settings.workers(),
                        timings.size(),
                        rateText(),
                        settings.mixedMining() ? " + mixed mining" : " only",
                        config.confirmations(),
                        config.pollInterval().toMillis(),
                        config.gateway().maxInflightTxs());
        String result =
                String.format(
                        Locale.ROOT,
                        "p50 %s, p95 %s, p99 %s, max %s; %.2f jobs/s; %,d of %,d processed, %,d"
                                + " submitted",
                        ms(0.50),
                        ms(0.95),
                        ms(0.99),
                        ms(1.0),
                        throughput(),
                        latencies.size(),
                        timings.size(),
                        timings.stream().filter(t -> t.submitMs() != null).count());
        List<String> node = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (Usage u : usages) {
            boolean ours =
                    u.name().equals(NodeProcesses.MASTER) || u.name().equals(NodeProcesses.INDEXER);
            if (ours) {
                node.add(
                        String.format(
                                Locale.ROOT,
                                "%s %.2f cores avg (%.0f CPU-s), RSS peak %s, live heap %s → %s",
                                u.name(),
                                u.cores(),
                                u.cpuSeconds(),
                                mib(u.hwmKib()),
                                heap(u.idleHeapKib()),
                                heap(u.heapKib())));
            } else {
                others.add(String.format(Locale.ROOT, "%s %.2f", u.name(), u.cores()));
            }
        }
        String usage =
                String.join("; ", node)
                        + (others.isEmpty() ? "" : " (cores avg of " + String.join(", ", others))
                        + (others.isEmpty() ? "" : ")");
        return List.of(
                row(what, result, command, machine),
                row(
                        "load drill, same run: CPU and memory of the master and the indexer (+"
                                + " gateway) JVMs as `emeth dev` starts them (-Xmx384m, SerialGC,"
                                + " C1); live heap after full GC idle → after the load",
                        usage,
                        "same",
                        "same"));
    }

    /** Per-minute count, p50 and max of the latency, by when the Request was seen. */
    private void printByMinute(PrintStream out) {
        TreeMap<Long, List<Long>> byMinute = new TreeMap<>();
        for (Timing t : timings) {
            if (t.requestMs() != null && t.processMs() != null) {
                byMinute.computeIfAbsent(
                                (t.requestMs() - firstRequestMs) / 60_000, m -> new ArrayList<>())
                        .add(t.processMs() - t.requestMs());
            }
        }
        byMinute.forEach(
                (minute, values) -> {
                    Collections.sort(values);
                    out.printf(
                            "  minute %2d: %4d jobs, p50 %s, max %s%n",
                            minute,
                            values.size(),
                            duration(percentile(values, 0.5)),
                            duration(values.get(values.size() - 1)));
                });
    }

    private double throughput() {
        return latencies.size() * 1000.0 / Math.max(1, lastProcessMs - firstRequestMs);
    }

    private String rateText() {
        return settings.rate() > 0 ? "at " + rateArg() + "/s" : "all at once";
    }

    private String rateArg() {
        double rate = settings.rate();
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    private static String row(String what, String result, String command, String machine) {
        return "| " + what + " | " + result + " | " + command + " | " + machine + " |";
    }

    private String ms(double p) {
        return latencies.isEmpty() ? "–" : duration(percentile(latencies, p));
    }

    private static long percentile(List<Long> sorted, double p) {
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1);
        return sorted.get(Math.max(0, index));
    }

    private static String duration(long ms) {
        return ms >= 10_000
                ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0)
                : String.format(Locale.ROOT, "%,d ms", ms);
    }

    private static String heap(long kib) {
        return kib < 0 ? "–" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }

    private static String mib(long kib) {
        return kib < 0 ? "?" : String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
    }
}
