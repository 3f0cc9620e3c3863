package io.emeth.worker.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pretrained checkpoints a worker holds: each sub-directory of its {@code models_dir} is one
 * {@link ModelDirectory}, named after the directory. The worker scans it once at start and
 * advertises the names in {@code WorkerRegistered.models}; the master then assigns it only jobs
 * whose model it holds. Hidden directories (a name starting with {@code .}, e.g. a copy in
 * progress) and plain files are ignored; any other directory that is not a complete model stops the
 * scan with an error naming it, so that an operator's half-finished copy is noticed at start rather
 * than in a job.
 */
public final class ModelCatalog {
    private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

    private final Path root;
    private final Map<String, ModelDirectory> models;

    private ModelCatalog(Path root, Map<String, ModelDirectory> models) {
        this.root = root;
        this.models = models;
    }

    /**
     * Scans {@code modelsDir}. A directory that does not exist holds no models (a worker without
     * pretrained checkpoints still trains the small built-in model).
     *
     * @throws InvalidModelException naming the first incomplete or bad model directory
     */
    public static ModelCatalog scan(Path modelsDir) {
        Map<String, ModelDirectory> models = new LinkedHashMap<>();
        if (!Files.exists(modelsDir)) {
            log.info("No models directory, no pretrained models [models_dir:{}]", modelsDir);
            return new ModelCatalog(modelsDir, models);
        }
        if (!Files.isDirectory(modelsDir)) {
            throw new InvalidModelException("models_dir " + modelsDir + " is not a directory");
        }
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> children = Files.list(modelsDir)) {
            children.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .forEach(dirs::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list models_dir " + modelsDir, e);
        }
        for (Path dir : dirs) {
            ModelDirectory model = ModelDirectory.open(dir);
            models.put(model.name(), model);
            log.info(
                    "Model found [model:{}, vocabSize:{}, dir:{}]",
                    model.name(),
                    model.vocabSize(),
                    dir);
        }
        return new ModelCatalog(modelsDir, models);
    }

    /** The models' names, sorted. */
    public List<String> names() {
        return List.copyOf(models.keySet());
    }

    /** The model of that name, if held. */
    public Optional<ModelDirectory> find(String name) {
        return Optional.ofNullable(models.get(name));
    }

    /** The scanned {@code models_dir}. */
    public Path root() {
        return root;
    }

    @Override
    public String toString() {
        return "ModelCatalog[root=" + root + ", models=" + models.keySet() + "]";
    }
}
