package io.emeth.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import io.emeth.schemas.avro.worker.WorkerHeartbeat;
import io.emeth.schemas.avro.worker.WorkerLeft;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import io.emeth.worker.WorkerAgent;
import io.emeth.worker.WorkerOptions;
import io.emeth.worker.events.TrainingEventSigning;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken input reaching a real worker: data it must refuse, assignments it cannot
 * honour, an unreadable record, a phase that overruns, forged and corrupt shards, and a device it
 * does not have. Each is answered with a clear error naming the job, and the worker carries on.
 */
class WorkerBadInputIT {
    @AutoClose private WorkerStack stack;

    @Test
    void shouldRefuseBadDataAndAssignmentsNamingTheJobAndKeepWorking() throws Exception {
        // Given one worker with its metrics served
        stack = new WorkerStack("WorkerBadInputIT");
        StartedWorkers started =
                stack.startWorkers(WorkerOptions.defaults().withMetrics("127.0.0.1", 0), "w");
        NodeIdentity w = started.identity(0);
        WorkerAgent worker = started.agent(0);
        byte[] good = TestJobs.corpus(6_000, 3);
        byte[] notUtf8 = good.clone();
        notUtf8[4_321] = (byte) 0xC3;
        notUtf8[4_322] = (byte) 0x28;

        // Then data that is not UTF-8, too small, missing, or not what its hash says is refused
        assertRefused(
                w,
                "bin.txt",
                notUtf8,
                t -> {},
                "not valid UTF-8 text: byte 0xC3 at offset 4321",
                WorkerPhase.WAIT_DATA);
        assertRefused(
                w,
                "small.txt",
                "tiny".getBytes(),
                t -> {},
                "has 4 bytes; at least 4096 are needed",
                WorkerPhase.WAIT_DATA);
        assertRefused(w, null, null, t -> {}, "could not be downloaded", WorkerPhase.WAIT_DATA);
        assertRefused(
                w,
                "hashed.txt",
                good,
                t -> t.getDataset().setSha256("00".repeat(32)),
                "but the assignment says " + "00".repeat(32),
                WorkerPhase.WAIT_DATA);
        // And so is an assignment it cannot honour
        assertRefused(
                w,
                "other.txt",
                good,
                t -> t.setProgramId(7),
                "TrainingAssigned.programId 7 is not supported",
                null);

        // When a record nobody can read arrives for it, and then a job whose round never opens
        stack.assignRaw(w.address(), new byte[] {0, 0, 0, 0, 99, 1, 2, 3});
        stack.assignRaw(w.address(), "{\"not\":\"avro\"}".getBytes());
        assertRefused(
                w,
                "idle.txt",
                good,
                t -> t.getTimeouts().setIdleMs(1_500),
                "phase IDLE overran timeout.idle (1500 ms)",
                WorkerPhase.IDLE);

        // Then the reader skipped the garbage, and the overrun was heartbeated as TIMEOUT
        Awaitility.await("a TIMEOUT heartbeat")
                .atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                stack.recorder.worker(WorkerHeartbeat.class, w.address()).stream()
                                        .anyMatch(
                                                r ->
                                                        ((WorkerHeartbeat) r.value().getPayload())
                                                                        .getPhase()
                                                                == WorkerPhase.TIMEOUT));
        assertThat(worker.status().phase()).isEqualTo(WorkerPhase.TIMEOUT);

        // And the metrics and health endpoints show it
        String base = "http://127.0.0.1:" + worker.metricsPort().orElseThrow();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> metrics =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body())
                .contains("emeth_worker_timeouts_total")
                .contains("phase=\"IDLE\"")
                .contains("emeth_worker_failures_total");
        HttpResponse<String> health =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");

        // When the master's view says it lost the worker, the worker registers again
        stack.publishView(
                WorkerView.newBuilder()
                        .setWorker(w.address())
                        .setPool(WorkerStack.POOL)
                        .setState(WorkerState.LOST)
                        .setPowerCapacity(100)
                        .setDevice("cpu")
                        .setUrl("")
                        .setPhase(WorkerPhase.TIMEOUT)
                        .setUpdatedAt(Instant.now())
                        .build());
        Awaitility.await("registered again")
                .atMost(Duration.ofSeconds(20))
                .until(
                        () ->
                                stack.recorder.worker(WorkerRegistered.class, w.address()).size()
                                        >= 2);

        // And when it shuts down with no job running, it says it left
        worker.close();
        Awaitility.await("WorkerLeft")
                .atMost(Duration.ofSeconds(10))
                .until(() -> !stack.recorder.worker(WorkerLeft.class, w.address()).isEmpty());
    }

    @Test
    void shouldRefuseCudaWithoutAGpuAtStartNamingTheKey() {
        // Given a worker.json asking for a GPU on a machine without one
        var cuda =
                new io.emeth.common.config.WorkerConfig(
                        "cuda",
                        java.util.Optional.empty(),
                        URI.create("http://127.0.0.1:1"),
                        100,
                        java.util.Optional.of(NodeIdentity.generate()),
                        TestJobs.TIMEOUTS,
                        Path.of("target", "unused.key"),
                        java.util.Optional.empty(),
                        java.util.Optional.empty(),
                        java.util.Map.of(),
                        java.util.Optional.empty(),
                        Duration.ofSeconds(1),
                        Path.of("target", "unused"),
                        Path.of("target", "unused-models"));

        // Then the worker does not start, and the error names the key and the fix
        assertThatThrownBy(() -> WorkerAgent.start(cuda))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("device 'cuda' asks for a CUDA GPU but PyTorch sees none")
                .hasMessageContaining("\"device\": \"cpu\"");
    }

    private void assertRefused(
            NodeIdentity w,
            String dataset,
            byte[] text,
            Consumer<TrainingAssigned> change,
            String reason,
            WorkerPhase phase)
            throws Exception {
        String jobId = TestJobs.newJobId();
        if (dataset != null) {
            stack.seedDataset(dataset, jobId, text);
        }
        WorkerAssignment a =
                TestJobs.assigned(
                        jobId,
                        List.of(w.address()),
                        0,
                        dataset == null ? "missing.txt" : dataset,
                        text == null ? 0 : text.length,
                        1,
                        30_000,
                        TestJobs.average());
        change.accept((TrainingAssigned) a.getPayload());
        stack.assign(a);
        Awaitility.await("TrainingFailed of " + jobId)
                .atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                !stack.recorder
                                        .training(
                                                TrainingFailed.class,
                                                e -> e.getJobId().equals(jobId))
                                        .isEmpty());
        TrainingEvent event =
                stack.recorder
                        .training(TrainingFailed.class, e -> e.getJobId().equals(jobId))
                        .get(0)
                        .value();
        TrainingFailed failed = (TrainingFailed) event.getPayload();
        assertThat(failed.getReason()).startsWith("job " + jobId + ": ").contains(reason);
        assertThat(failed.getPhase()).isEqualTo(phase);
        assertThat(failed.getEpoch()).isZero();
        assertThat(TrainingEventSigning.verify(event)).isTrue();
    }
}
