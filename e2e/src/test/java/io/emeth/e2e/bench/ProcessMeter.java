package io.emeth.e2e.bench;

import io.emeth.master.bench.MatchingBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What one node process costs: CPU time from the JDK ({@link ProcessHandle.Info#totalCpuDuration},
 * user + system), resident memory from Linux's {@code /proc/<pid>/status} ({@code VmHWM}, the peak;
 * {@code VmRSS}, now) and the live heap after a full GC (the master benchmark's {@code jcmd
 * GC.class_histogram} reading).
 */
final class ProcessMeter {
    final String name;
    final boolean jvm;
    private final ProcessHandle process;
    private Duration cpuAtStart = Duration.ZERO;
    long idleHeapKib = -1;

    /** {@code jvm}: whether it is a JVM whose live heap jcmd can read. */
    ProcessMeter(String name, ProcessHandle process, boolean jvm) {
        this.name = name;
        this.process = process;
        this.jvm = jvm;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Starts the CPU window and notes the live heap (of a JVM) before the load. */
    void startWindow() throws IOException, InterruptedException {
        idleHeapKib = liveHeapKib();
        cpuAtStart = cpu();
    }

    /** CPU time used since {@link #startWindow()}. */
    Duration cpuInWindow() {
        return cpu().minus(cpuAtStart);
    }

    /** The live heap after a full GC in KiB; -1 for a process that is not a JVM. */
    long liveHeapKib() throws IOException, InterruptedException {
        return jvm ? MatchingBench.heapAfterFullGc(process.pid()) : -1;
    }

    /** A field of /proc/pid/status in KiB ({@code VmHWM}, {@code VmRSS}), or -1. */
    long statusKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid() + "", "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private Duration cpu() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }
}
