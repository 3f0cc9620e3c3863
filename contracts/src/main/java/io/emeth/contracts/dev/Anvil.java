package io.emeth.contracts.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Ethereum chain: anvil from the npm package {@code @foundry-rs/anvil-linux-amd64}, run as
 * a child process.
 *
 * <p>Consumes {@link Options}; produces a JSON-RPC endpoint ({@link #rpcUrl()}) that answers before
 * {@link #start} returns. Used by the contract ITs and by {@code emeth dev}, which calls {@link
 * #command} to start anvil detached itself. Exists because no Docker engine is available: tests
 * need a real chain that starts in a second without one.
 */
public final class Anvil implements AutoCloseable {
    /** Where npm installs the binary, relative to the repository root. */
    public static final String BINARY = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

    /** Blocks of state anvil keeps in memory; keeps a long dev chain's memory flat. */
    public static final int PRUNE_HISTORY = 64;

    private static final Logger log = LoggerFactory.getLogger(Anvil.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    /**
     * How to run anvil. {@code port} 0 lets anvil pick a free port (read back from its output);
     * {@code blockTime} null mines a block per transaction; {@code stateFile} null keeps the chain
     * in memory only, else it is loaded at start and written at stop (and every {@code
     * stateInterval} when set); {@code logFile} null uses a temporary file; {@code binary} null
     * resolves the repository's npm-installed anvil.
     */
    public record Options(
            String host,
            int port,
            long chainId,
            Duration blockTime,
            Path stateFile,
            Duration stateInterval,
            Path logFile,
            Path binary) {
        /** Anvil's own chain id, the one its default accounts are funded on. */
        public static final long DEFAULT_CHAIN_ID = 31337;

        public Options {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("anvil host is empty");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("anvil port " + port + " is not in 0..65535");
            }
            if (chainId <= 0) {
                throw new IllegalArgumentException(
                        "anvil chain id " + chainId + " is not positive");
            }
            requirePositive(blockTime, "block time");
            requirePositive(stateInterval, "state interval");
        }

        /** Loopback, a free port, chain id 31337, automine, in memory. */
        public static Options defaults() {
            return new Options("127.0.0.1", 0, DEFAULT_CHAIN_ID, null, null, null, null, null);
        }

        public Options withHost(String value) {
            return new Options(
                    value, port, chainId, blockTime, stateFile, stateInterval, logFile, binary);
        }

        public Options withPort(int value) {
            return new Options(
                    host, value, chainId, blockTime, stateFile, stateInterval, logFile, binary);
        }

        public Options withChainId(long value) {
            return new Options(
                    host, port, value, blockTime, stateFile, stateInterval, logFile, binary);
        }

        public Options withBlockTime(Duration value) {
            return new Options(
                    host, port, chainId, value, stateFile, stateInterval, logFile, binary);
        }

        public Options withStateFile(Path value) {
            return new Options(
                    host, port, chainId, blockTime, value, stateInterval, logFile, binary);
        }

        public Options withStateInterval(Duration value) {
            return new Options(host, port, chainId, blockTime, stateFile, value, logFile, binary);
        }

        public Options withLogFile(Path value) {
            return new Options(
                    host, port, chainId, blockTime, stateFile, stateInterval, value, binary);
        }

        public Options withBinary(Path value) {
            return new Options(
                    host, port, chainId, blockTime, stateFile, stateInterval, logFile, value);
        }

        private static void requirePositive(Duration value, String name) {
            if (value != null && (value.isNegative() || value.isZero())) {
                throw new IllegalArgumentException(
                        "anvil " + name + " " + value + " is not positive");
            }
        }
    }

    private final Process process;
    private final String host;
    private final int port;
    private final Path logFile;
    private final boolean deleteLog;
    private final Thread shutdownHook;

    private Anvil(Process process, String host, int port, Path logFile, boolean deleteLog) {
        this.process = process;
        this.host = host;
        this.port = port;
        this.logFile = logFile;
        this.deleteLog = deleteLog;
        this.shutdownHook = new Thread(process::destroy, "anvil-shutdown-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The anvil binary of the repository found by {@link RepoRoot#locate()}. */
    public static Path binary() {
        return binary(RepoRoot.locate());
    }

    /**
     * The anvil binary under {@code root}.
     *
     * @throws IllegalStateException with the fix when npm has not installed it
     */
    public static Path binary(Path root) {
        Path binary = root.resolve(BINARY);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(
                    "anvil not found at "
                            + binary
                            + ": run `npm install` in the repository root ("
                            + root
                            + ")");
        }
        return binary;
    }

    /** The command line that starts anvil with these options (the binary resolved if unset). */
    public static List<String> command(Options options) {
        Path binary = options.binary() != null ? options.binary() : binary();
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of("--host", options.host()));
        command.addAll(List.of("--port", Integer.toString(options.port())));
        command.addAll(List.of("--chain-id", Long.toString(options.chainId())));
        command.addAll(List.of("--prune-history", Integer.toString(PRUNE_HISTORY)));
        if (options.blockTime() != null) {
            command.addAll(List.of("--block-time", seconds(options.blockTime())));
        }
        if (options.stateFile() != null) {
            command.addAll(List.of("--state", options.stateFile().toString()));
            if (options.stateInterval() != null) {
                // anvil takes whole seconds here
                long interval = Math.max(1, options.stateInterval().toSeconds());
                command.addAll(List.of("--state-interval", Long.toString(interval)));
            }
        }
        return List.copyOf(command);
    }

    /**
     * Starts anvil and waits until its JSON-RPC endpoint answers.
     *
     * @throws IOException naming the port and anvil's last output when it exits or never answers
     */
    public static Anvil start(Options options) throws IOException {
        List<String> command = command(options);
        boolean tempLog = options.logFile() == null;
        Path logFile =
                tempLog
                        ? Files.createTempFile("anvil-", ".log")
                        : options.logFile().toAbsolutePath();
        if (!tempLog && logFile.getParent() != null) {
            Files.createDirectories(logFile.getParent());
        }
        // a kept log file grows across restarts: only what this run prints counts
        long logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                        .start();
        try {
            int port = AnvilStartup.awaitReady(process, options, logFile, logOffset);
            Anvil anvil = new Anvil(process, options.host(), port, logFile, tempLog);
            log.info(
                    "Started anvil [pid:{}, rpc:{}, chainId:{}]",
                    process.pid(),
                    anvil.rpcUrl(),
                    options.chainId());
            return anvil;
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    public String rpcUrl() {
        return AnvilStartup.rpcUrl(host, port);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Stops anvil (SIGTERM, so a {@code --state} file is written), then waits for it to exit. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("anvil ignored SIGTERM, killing it [pid:{}]", process.pid());
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmShuttingDown) {
            // the hook is running or will run; nothing to undo
        }
        if (deleteLog) {
            try {
                Files.deleteIfExists(logFile);
            } catch (IOException e) {
                log.debug("Could not delete anvil log [file:{}]", logFile, e);
            }
        }
        log.info("Stopped anvil [pid:{}, rpc:{}]", process.pid(), rpcUrl());
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0
                ? Long.toString(duration.toSeconds())
                : Double.toString(duration.toMillis() / 1000.0);
    }
}
