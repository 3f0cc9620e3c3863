package io.emeth.worker.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The benchmark's English text: a file given as argument, the system's license texts, or a
 * generated fallback.
 */
final class BenchCorpus {

    private static final Path LICENSES = Path.of("/usr/share/common-licenses");

    private BenchCorpus() {}

    static byte[] load(String file) throws IOException {
        if (file != null) {
            return Files.readAllBytes(Path.of(file));
        }
        if (Files.isDirectory(LICENSES)) {
            TreeSet<Path> files = new TreeSet<>();
            try (Stream<Path> list = Files.list(LICENSES)) {
                list.filter(Files::isRegularFile).map(BenchCorpus::real).forEach(files::add);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Path path : files) {
                out.writeBytes(Files.readAllBytes(path));
            }
            if (out.size() > 64 * 1024) {
                return out.toByteArray();
            }
        }
        return generated();
    }

    static String describe(String file) {
        if (file != null) {
            return file;
        }
        return Files.isDirectory(LICENSES) ? LICENSES + "/*" : "generated";
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path;
        }
    }

    /** Deterministic pseudo-English for machines without license texts. */
    private static byte[] generated() {
        List<String> subjects = List.of("The worker", "A master", "The verifier", "Each node");
        List<String> verbs = List.of("trains", "averages", "uploads", "checks", "signs");
        List<String> objects = List.of("the model", "its shard", "a checkpoint", "the data set");
        Random random = new Random(1);
        StringBuilder text = new StringBuilder();
        while (text.length() < 200_000) {
            text.append(subjects.get(random.nextInt(subjects.size())))
                    .append(' ')
                    .append(verbs.get(random.nextInt(verbs.size())))
                    .append(' ')
                    .append(objects.get(random.nextInt(objects.size())))
                    .append(". ");
        }
        return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
