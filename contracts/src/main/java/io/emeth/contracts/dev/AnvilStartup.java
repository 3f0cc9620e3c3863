package io.emeth.contracts.dev;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waits for a starting anvil: reads the port it bound from its output, probes its JSON-RPC
 * endpoint, and turns an early exit into a message naming the cause and the fix.
 */
final class AnvilStartup {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static final Pattern LISTENING = Pattern.compile("Listening on (\\S+):(\\d+)");
    private static final String CHAIN_ID_CALL =
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}";
    private static final int TAIL_LINES = 5;

    private AnvilStartup() {}

    /** Blocks until anvil answers eth_chainId; returns its port. */
    static int awaitReady(Process process, Anvil.Options options, Path logFile, long logOffset)
            throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int port = options.port();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(exitMessage(process.exitValue(), options.port(), logFile));
            }
            if (port == 0) {
                port = listeningPort(read(logFile, logOffset));
            }
            if (port != 0 && answers(http, rpcUrl(options.host(), port))) {
                return port;
            }
            pause();
        }
        throw new IOException(
                "anvil did not answer JSON-RPC within "
                        + START_TIMEOUT.toSeconds()
                        + " s on port "
                        + port
                        + "; last output: "
                        + tail(logFile));
    }

    /** The URL a client uses for anvil bound to {@code host} (a wildcard host means loopback). */
    static String rpcUrl(String host, int port) {
        String target = "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
        if (target.contains(":")) {
            target = "[" + target + "]"; // an IPv6 literal
        }
        return "http://" + target + ":" + port;
    }

    /** The port anvil printed in "Listening on host:port", 0 while not printed yet. */
    static int listeningPort(String output) {
        Matcher matcher = LISTENING.matcher(output);
        return matcher.find() ? Integer.parseInt(matcher.group(2)) : 0;
    }

    /** Why anvil stopped, with the fix when the cause is a known one. */
    static String exitMessage(int exitCode, int port, Path logFile) {
        String output = tail(logFile);
        String hint =
                output.contains("Address already in use")
                        ? "port " + port + " is in use: stop what holds it or pick another port"
                        : "see " + logFile;
        return "anvil exited with code " + exitCode + " (" + hint + "): " + output;
    }

    /** The last non-blank lines of anvil's output, joined on one line. */
    static String tail(Path logFile) {
        try {
            List<String> lines =
                    Files.readAllLines(logFile, StandardCharsets.UTF_8).stream()
                            .filter(line -> !line.isBlank())
                            .toList();
            return String.join(
                    " | ", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static String read(Path logFile, long offset) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = Math.max(0, file.length() - offset);
            byte[] bytes = new byte[(int) Math.min(length, 1 << 20)];
            file.seek(offset);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static boolean answers(HttpClient http, String url) {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(2))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(CHAIN_ID_CALL))
                        .build();
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"result\"");
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for anvil to answer");
        }
    }
}
