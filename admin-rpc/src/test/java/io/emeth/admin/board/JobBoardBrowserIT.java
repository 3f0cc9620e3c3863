package io.emeth.admin.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emeth.admin.AdminOptions;
import io.emeth.admin.AdminRpc;
import io.emeth.admin.Seeds;
import io.emeth.admin.db.Database;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.support.ItConfig;
import io.emeth.admin.support.ItKafka;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import io.emeth.testkit.Ports;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job board in a real headless Chromium against a running admin-rpc whose sink read seeded
 * topics: the page renders the job rows and each job's loss chart, and a screenshot is saved as
 * {@code target/job-board.png}. Chromium is Debian's {@code chromium} ({@code .ci/run} installs
 * it), or the binary named by {@value #CHROMIUM_ENV}.
 */
class JobBoardBrowserIT {
    static final String CHROMIUM_ENV = "EMETH_IT_CHROMIUM";
    private static final String JOB = Seeds.jobId(0xB0A4D);
    private static final String JOB_2 = Seeds.jobId(0xB0A4E);

    private static AdminRpc admin;
    private static Path chromium;
    private static Path work;

    @BeforeAll
    static void start() throws Exception {
        chromium = chromium();
        // Given admin-rpc consuming topics with two jobs (one with three rounds) and two workers
        ItKafka kafka = ItKafka.topics("board");
        work = Files.createTempDirectory("board-it");
        admin =
                AdminRpc.start(
                        ItConfig.master(
                                "11".repeat(32),
                                Ports.free(),
                                work.resolve("emeth.db"),
                                json -> {}),
                        AdminOptions.defaults()
                                .withTopicPrefix(kafka.prefix())
                                .withSinkGroupId(kafka.prefix() + "sink"));
        Instant now = Instant.now();
        JobView training =
                JobView.newBuilder(
                                Seeds.job(
                                        JOB,
                                        JobState.PROCESSING,
                                        JobStatus.PROCESSING,
                                        3.1,
                                        2.4,
                                        2.05))
                        .setDeadline(now.plus(Duration.ofHours(30)))
                        .setUpdatedAt(now)
                        .build();
        List<Map.Entry<String, JobView>> jobs =
                List.of(
                        new SimpleEntry<>(JOB, training),
                        new SimpleEntry<>(JOB_2, Seeds.requested(JOB_2)));
        kafka.publish(kafka.catalog().jobStatus(), jobs);
        List<Map.Entry<String, WorkerView>> workers =
                List.of(
                        new SimpleEntry<>(
                                Seeds.WORKER,
                                WorkerView.newBuilder(
                                                Seeds.worker(
                                                        Seeds.WORKER,
                                                        Seeds.NODE,
                                                        WorkerState.TRAINING))
                                        .setJobId(JOB)
                                        .setEpoch(3)
                                        .setProgress(0.7)
                                        .setLastHeartbeatAt(now.minusSeconds(4))
                                        .build()),
                        new SimpleEntry<>(
                                Seeds.WORKER_2,
                                Seeds.worker(Seeds.WORKER_2, Seeds.NODE, WorkerState.IDLE)));
        kafka.publish(kafka.catalog().workerStatus(), workers);
        List<Map.Entry<String, TrainingEvent>> events = new ArrayList<>();
        for (int epoch = 1; epoch <= 3; epoch++) {
            events.add(
                    new SimpleEntry<>(
                            JOB, Seeds.shard(JOB, Seeds.WORKER, epoch, 3.0 - epoch * 0.3)));
        }
        kafka.publish(kafka.catalog().trainingEvents(), events);
        try (Database db = Database.sqlite(work.resolve("emeth.db"))) {
            ReadModel read = new ReadModel(db);
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    read.boardJobs().size() == 2
                                            && read.workers().size() == 2
                                            && read.job(JOB).orElseThrow().history().size() == 3);
        }
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void shouldRenderJobRowsAndTheLossChart() throws Exception {
        // When Chromium loads the board and runs its script
        String dom = chromium("--dump-dom", boardUrl());

        // Then the data arrived and each job has a row, the trained one a chart of its 3 losses
        assertThat(dom).contains("data-state=\"loaded\"");
        assertThat(dom).contains("<tr class=\"job-row\" data-job-id=\"" + JOB + "\">");
        assertThat(dom).contains("<tr class=\"job-row\" data-job-id=\"" + JOB_2 + "\">");
        assertThat(dom)
                .containsPattern(
                        "<svg class=\"loss-chart\"[^>]*data-job-id=\""
                                + JOB
                                + "\"[^>]*data-points=\"3\"");
        assertThat(dom)
                .containsPattern(
                        "<polyline points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+\"");
        assertThat(dom).contains("20 EMT");
        // a uint256 fee is shown short, exact in the tooltip
        assertThat(dom).contains("1.158e+59 EMT");
        assertThat(dom).contains("data-worker=\"" + Seeds.WORKER + "\"");
        assertThat(dom).contains("fee 50 EMT is above max_fee 30 EMT");
    }

    @Test
    void shouldSaveAScreenshotOfTheBoard() throws Exception {
        Path screenshot = Path.of("target", "job-board.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        chromium(
                "--window-size=1400,800",
                "--hide-scrollbars",
                "--screenshot=" + screenshot,
                boardUrl());
        assertThat(screenshot).exists();
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertThat(png.length).as("a rendered page, not a blank one").isGreaterThan(20_000);
    }

    private static String boardUrl() {
        return "http://127.0.0.1:" + admin.port() + "/board";
    }

    /** Runs headless Chromium with a fresh profile; returns its standard output. */
    private static String chromium(String... args) throws Exception {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                chromium.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--disable-dev-shm-usage",
                                "--user-data-dir=" + profile,
                                // lets the page's fetches and first render finish before the dump
                                // or screenshot
                                "--virtual-time-budget=10000"));
        command.addAll(List.of(args));
        Path stdout = work.resolve("chromium-" + System.nanoTime() + ".out");
        Path stderr = work.resolve("chromium-" + System.nanoTime() + ".err");
        Process process =
                new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .directory(new File("."))
                        .start();
        boolean done = process.waitFor(120, TimeUnit.SECONDS);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (!done) {
            process.destroyForcibly();
            Assertions.fail("chromium did not finish within 120 s: " + Files.readString(stderr));
        }
        assertThat(process.exitValue())
                .as("chromium exit; stderr: %s", Files.readString(stderr))
                .isZero();
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    private static Path chromium() {
        String configured = System.getenv(CHROMIUM_ENV);
        List<String> candidates =
                configured != null && !configured.isBlank()
                        ? List.of(configured)
                        : List.of(
                                "/usr/bin/chromium",
                                "/usr/bin/chromium-browser",
                                "/usr/bin/google-chrome");
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        String message =
                "no Chromium found ("
                        + String.join(", ", candidates)
                        + "); install Debian's"
                        + " chromium (apt-get install -y chromium, as .ci/run does) or set "
                        + CHROMIUM_ENV;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message);
        }
        Assumptions.abort("skipped: " + message);
        return null;
    }
}
