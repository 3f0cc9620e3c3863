package io.emeth.deploy.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.deploy.Emeth;
import io.emeth.worker.gpt2.Gpt2Config;
import io.emeth.worker.gpt2.Gpt2Model;
import io.emeth.worker.gpt2.HfTokenizers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandTest {

    @TempDir Path dir;

    @Test
    void shouldPrintAContinuationAndALoss() throws Exception {
        Gpt2Model.writeRandom(dir, Gpt2Config.of(2, 32, 2, HfTokenizers.BYTE_LEVEL_VOCAB, 64), 1);
        HfTokenizers.writeByteLevel(dir);
        Path text = Files.writeString(dir.resolve("text.txt"), "Some text to score. ".repeat(20));

        String sample =
                run(
                        "model",
                        "sample",
                        "--model",
                        dir.toString(),
                        "--prompt",
                        "Once",
                        "--tokens",
                        "8");
        String eval = run("model", "eval", "--model", dir.toString(), "--text", text.toString());

        // the last line is the command's output (the test's logging shares stdout)
        assertThat(lastLine(sample)).startsWith("Once").hasSizeGreaterThan("Once".length());
        assertThat(lastLine(eval))
                .matches("loss \\d+\\.\\d{4} nats/token, perplexity \\d+\\.\\d{2}");
    }

    @Test
    void shouldNameAMissingModelInOneLine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream previous = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code =
                    Emeth.commandLine()
                            .execute(
                                    "model",
                                    "sample",
                                    "--model",
                                    dir.resolve("none").toString(),
                                    "--prompt",
                                    "x");
        } finally {
            System.setErr(previous);
        }
        assertThat(code).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("cannot open model")
                .contains("neither a model directory nor a result zip");
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(Emeth.commandLine().execute(args)).isZero();
        } finally {
            System.setOut(previous);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
