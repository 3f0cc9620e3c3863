package io.emeth.worker.it;

import io.emeth.common.config.ConfigWriter;
import io.emeth.common.config.WorkerConfig;
import io.emeth.common.config.WorkerTimeouts;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.worker.PhaseTimeouts;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.worker.gpt2.Gpt2Config;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.gpt2.HfTokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;

/**
 * Peak resident memory of one worker fine-tuning a pretrained GPT-2 of medium's shape through its
 * real job path: a worker process of its own ({@link WorkerProcess}, the production unit's JVM
 * options unless {@code --jvm} says else) loads a random checkpoint from its {@code models_dir}, is
 * the only participant and so also the aggregator, trains two rounds (or {@code --rounds}),
 * averages, evaluates, uploads and delivers the result zip; the broker, registry and storage run in
 * this JVM. Prints the worker's VmHWM after start, after each round and after the result. Not a
 * test (minutes per step at full depth); run by
 *
 * <pre>
 * mvn -o -q -pl worker-agent test-compile exec:exec@job-memory \
 *     -Djob.memory.args="--layers=24 --batch=4 [--rounds=1] [--jvm=-Xms1g,-Xmx6g]
 *     [--env=MALLOC_ARENA_MAX=2]"
 * </pre>
 */
public final class Gpt2JobMemory {
    private static final String MODEL = "gpt2-medium-random";

    /** The production unit's (deploy/production/systemd/emeth-worker@.service) JVM and env. */
    private static final String PRODUCTION_JVM =
            "-Xms256m,-Xmx4g,-XX:MaxDirectMemorySize=2g,-XX:+ExitOnOutOfMemoryError";

    private static final String PRODUCTION_ENV = "MALLOC_ARENA_MAX=2,MALLOC_MMAP_THRESHOLD_=131072";
    private static final long PHASE_MS = 3_600_000;

    private Gpt2JobMemory() {}

    public static void main(String[] args) {
        int status = 1;
        try {
            measure(args);
            status = 0;
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
        } finally {
            System.exit(status); // the shared broker's threads are not daemons
        }
    }

    private static void measure(String[] args) throws Exception {
        // exec:exec hands the arguments over as one string
        List<String> options = Arrays.asList(String.join(" ", args).trim().split("\\s+"));
        int layers = option(options, "--layers", 24);
        int batch = option(options, "--batch", 8);
        int rounds = option(options, "--rounds", 2);
        if (rounds < 1 || rounds > 2) {
            throw new IllegalArgumentException("--rounds must be 1 or 2, was " + rounds);
        }
        String jvm = stringOption(options, "--jvm", PRODUCTION_JVM);
        String env = stringOption(options, "--env", PRODUCTION_ENV);
        try (WorkerStack stack = new WorkerStack("Gpt2JobMemory")) {
            NodeIdentity identity = NodeIdentity.generate();
            Path home = stack.dir.resolve("w");
            Gpt2Config shape = Gpt2Config.of(layers, 1024, 16, 50_257, 1024);
            Gpt2Model.writeRandom(home.resolve("models").resolve(MODEL), shape, 1);
            HfTokenizers.writeByteLevel(home.resolve("models").resolve(MODEL));
            Path configFile = home.resolve("worker.json");
            ConfigWriter.write(configFile, ConfigWriter.toJson(config(stack, home, identity)));
            Path log = home.resolve("worker.log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(Arrays.asList(jvm.split(",")));
            command.addAll(
                    List.of(
                            "-Dai.djl.offline=true",
                            "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR", ""),
                            "-cp",
                            System.getProperty("java.class.path"),
                            WorkerProcess.class.getName(),
                            configFile.toString()));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("OMP_NUM_THREADS", "2");
            builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
            for (String pair : env.isEmpty() ? new String[0] : env.split(",")) {
                int eq = pair.indexOf('=');
                builder.environment().put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            Process worker = builder.start();
            try {
                run(stack, identity, worker, log, shape, layers, batch, rounds, jvm + " " + env);
            } finally {
                worker.getOutputStream().close();
                if (!worker.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    worker.destroyForcibly();
                }
            }
        }
    }

    private static void run(
            WorkerStack stack,
            NodeIdentity identity,
            Process worker,
            Path log,
            Gpt2Config shape,
            int layers,
            int batch,
            int rounds,
            String jvm)
            throws Exception {
        String address = identity.address();
        await("the worker's start", stack, worker, log, () -> stack.recorder.registered(address));
        long started = peakRss(worker);
        // the smallest data set a worker takes (4096 bytes); it splits off the validation part
        // itself, so a round trains ~7 steps of batch 4 × 128 byte-level tokens
        String jobId = TestJobs.newJobId();
        byte[] dataset = stack.seedCorpus(jobId, 4160, 3);
        List<String> workers = List.of(address);
        stack.assignAll(assignment(jobId, workers, dataset.length, batch, rounds));
        stack.assignAll(TestJobs.rounds(jobId, workers, 1, null, ""));
        await("round 1", stack, worker, log, () -> round(stack, 1) != null);
        long first = peakRss(worker);
        RoundAggregated one = round(stack, 1);
        if (rounds == 2) {
            stack.assignAll(
                    TestJobs.rounds(
                            jobId, workers, 2, one.getGlobalModel(), one.getHashChainLink()));
        }
        await(
                "the result",
                stack,
                worker,
                log,
                () -> stack.recorder.anyTraining(ResultUploaded.class));
        long result = peakRss(worker);
        System.out.printf(
                Locale.ROOT,
                "| worker job path, GPT-2 medium shape (%d × 1024, vocab %d, %.0fM parameters),"
                        + " one worker = trainer and aggregator, batch %d × 128, %d round(s) of"
                        + " a 4160-byte data set, JVM %s | peak RSS: started %.2f GB, after round 1"
                        + " %.2f GB, at the end (result uploaded) %.2f GB | load average %s |%n",
                layers,
                shape.vocabSize(),
                (shape.nonEmbeddingParameters()
                                + (long) (shape.vocabSize() + shape.positions()) * shape.width())
                        / 1e6,
                batch,
                rounds,
                jvm,
                started / 1e9,
                first / 1e9,
                result / 1e9,
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    private static RoundAggregated round(WorkerStack stack, int epoch) {
        var found =
                stack.recorder.training(
                        RoundAggregated.class,
                        e -> ((RoundAggregated) e.getPayload()).getEpoch() == epoch);
        return found.isEmpty() ? null : (RoundAggregated) found.get(0).value().getPayload();
    }

    private static void await(
            String what,
            WorkerStack stack,
            Process worker,
            Path log,
            java.util.concurrent.Callable<Boolean> done) {
        Awaitility.await(what)
                .atMost(Duration.ofMillis(PHASE_MS))
                .pollInterval(Duration.ofSeconds(1))
                .failFast(
                        "the worker exited or a job failed (see " + log + ")",
                        () -> !worker.isAlive() || stack.recorder.anyTraining(TrainingFailed.class))
                .until(done);
    }

    /** The job's assignment with the phases' limits wide enough for minutes-long steps. */
    private static List<WorkerAssignment> assignment(
            String jobId, List<String> workers, long size, int batch, int rounds) {
        List<WorkerAssignment> out = new ArrayList<>();
        for (WorkerAssignment a :
                TestJobs.job(jobId, workers, size, rounds, PHASE_MS, TestJobs.average())) {
            TrainingAssigned t =
                    TrainingAssigned.newBuilder((TrainingAssigned) a.getPayload())
                            .setModelName(MODEL)
                            .setBatchSize(batch)
                            .setTimeouts(
                                    PhaseTimeouts.newBuilder()
                                            .setWaitDataMs(PHASE_MS)
                                            .setIdleMs(PHASE_MS)
                                            .setLearningMs(PHASE_MS)
                                            .setCheckpointMs(PHASE_MS)
                                            .build())
                            .build();
            out.add(WorkerAssignment.newBuilder(a).setPayload(t).build());
        }
        return out;
    }

    private static WorkerConfig config(WorkerStack stack, Path home, NodeIdentity identity) {
        Duration phase = Duration.ofMillis(PHASE_MS);
        return new WorkerConfig(
                "cpu",
                Optional.empty(),
                stack.masterNodeUrl(),
                100,
                Optional.of(identity),
                new WorkerTimeouts(phase, phase, phase, phase),
                home.resolve("worker.key"),
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                Optional.empty(),
                Duration.ofSeconds(5),
                home.resolve("data"),
                home.resolve("models"));
    }

    /** The peak resident set (VmHWM) of {@code process}, in bytes. */
    private static long peakRss(Process process) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static int option(List<String> args, String name, int fallback) {
        String value = stringOption(args, name, null);
        return value == null ? fallback : Integer.parseInt(value);
    }

    private static String stringOption(List<String> args, String name, String fallback) {
        for (String arg : args) {
            if (arg.startsWith(name + "=")) {
                return arg.substring(name.length() + 1);
            }
        }
        return fallback;
    }
}
