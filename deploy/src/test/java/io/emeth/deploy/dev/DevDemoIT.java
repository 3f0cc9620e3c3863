package io.emeth.deploy.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.testkit.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code emeth dev demo} as an operator runs it: a JVM of its own that starts the stack and the
 * node's five processes on free ports under a temporary {@code EMETH_HOME}, takes one job to
 * VERIFIED and stops everything it started.
 */
class DevDemoIT {
    private static final long DEMO_LIMIT_MINUTES = 8;

    @TempDir Path home;

    @Test
    void shouldTakeAJobFromRequestToVerifiedAndStopEverythingItStarted() throws Exception {
        // When
        Demo demo = runDemo();

        // Then
        assertThat(demo.exitCode).as(demo.output).isZero();
        assertThat(demo.output)
                .contains("[7/7] Verify")
                .containsPattern("Assigned job: 0x[0-9a-f]{32} , Status: VERIFIED")
                .containsPattern("requester \\(account 4\\) .* -20\\n")
                .contains("trained; validation loss epoch 1:")
                .contains("Job board: http://127.0.0.1:");
        assertThat(livePidFiles()).as("processes left running").isEmpty();
    }

    @Test
    void shouldExitNonZeroNamingTheStepThatFailedAndLeaveNothingRunning() throws Exception {
        // Given a stranger on the anvil port
        int anvilPort = Ports.free();
        try (ServerSocket stranger =
                new ServerSocket(anvilPort, 1, InetAddress.getLoopbackAddress())) {
            // When
            Demo demo = runDemo("--anvil-port", Integer.toString(anvilPort));

            // Then
            assertThat(demo.exitCode).as(demo.output).isEqualTo(1);
            assertThat(demo.output)
                    .contains("step 'Start the local stack")
                    .contains("--anvil-port");
        }
        assertThat(livePidFiles()).as("processes left running").isEmpty();
    }

    private record Demo(int exitCode, String output) {}

    private Demo runDemo(String... overrides) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Demeth.root=" + System.getProperty("emeth.root", ".."));
        command.add("io.emeth.deploy.Emeth");
        command.addAll(List.of("dev", "demo"));
        List<String> ports =
                List.of(
                        "--kafka-port",
                        "--kafka-controller-port",
                        "--registry-port",
                        "--storage-port",
                        "--anvil-port",
                        "--admin-port");
        List<String> given = List.of(overrides);
        for (String port : ports) {
            if (!given.contains(port)) {
                command.add(port);
                command.add(Integer.toString(Ports.free()));
            }
        }
        command.addAll(given);
        Path output = home.resolve("demo-output.txt");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
        builder.environment().put("EMETH_HOME", home.resolve("emeth").toString());
        Process demo = builder.start();
        if (!demo.waitFor(DEMO_LIMIT_MINUTES, TimeUnit.MINUTES)) {
            demo.destroy();
            demo.waitFor(60, TimeUnit.SECONDS);
            StackLayout layout = new StackLayout(Path.of("."), home.resolve("emeth"));
            new NodeProcesses(layout).stopAll();
            new LocalStack(layout, new DevOptions(), System.out).down();
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        return new Demo(demo.isAlive() ? -1 : demo.exitValue(), printed);
    }

    /** Pid files of the demo's layout whose process still runs. */
    private List<String> livePidFiles() throws IOException {
        Path run = home.resolve("emeth/run");
        if (!Files.isDirectory(run)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(run)) {
            return files.filter(DevDemoIT::alive).map(p -> p.getFileName().toString()).toList();
        }
    }

    private static boolean alive(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim().split("\\s+")[0]);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
