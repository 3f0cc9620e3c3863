package io.emeth.worker.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PyTorch reference GPT-2 ({@code gpt2/gpt2_reference.py} in the test resources) with
 * Debian's python3-torch.
 */
final class PythonReference {

    static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PythonReference() {}

    /** Why the reference cannot run here, or null when {@code /usr/bin/python3} imports torch. */
    static String unavailable() {
        try {
            Process p =
                    new ProcessBuilder(PYTHON, "-c", "import torch")
                            .redirectErrorStream(true)
                            .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return PYTHON + " cannot import torch (apt-get install python3-torch): " + out;
            }
            return null;
        } catch (IOException e) {
            return PYTHON + " cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The script's path (it is a test resource). */
    static Path script() {
        try {
            return Path.of(PythonReference.class.getResource("/gpt2/gpt2_reference.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the script with {@code args} and parses the JSON it prints. */
    static JsonNode run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, script().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(
                    "reference " + String.join(" ", args) + " failed: " + err);
        }
        return JSON.readTree(out);
    }
}
