package io.emeth.worker.jobs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.emeth.schemas.avro.ModelRef;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker remembers on disk about one job attempt, so that a restarted worker (which reads
 * the job's assignment and rounds again) neither trains an epoch twice nor publishes a round twice,
 * and resumes the open round from its global model: the epochs it trained (with the sha256 of the
 * model each started from), the rounds it aggregated (link, global model, validation loss), the
 * chain's genesis and the epoch of the saved DiLoCo momentum.
 *
 * <p>File {@code <dataDir>/jobs/<jobId>/attempt-<n>/state.json}, replaced atomically on each save.
 * Only the job's thread touches it.
 */
final class JobStore {
    private static final Logger log = LoggerFactory.getLogger(JobStore.class);
    private static final ObjectMapper JSON =
            JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** One aggregated round. */
    public static final class Round {
        public String link;
        public String modelUri;
        public String modelSha256;
        public long modelSizeBytes;
        public double validationLoss;

        /** The accepted shards' sha256 in rank order (null in state written before they were). */
        public List<String> shards;

        /** The DiLoCo momentum's sha256 after the round, or null. */
        public String momentumSha256;

        /** The chain link of this round as {@code epoch}. */
        ChainLink chainLink(int epoch) {
            return new ChainLink(
                    epoch, link, modelSha256, shards == null ? List.of() : shards, momentumSha256);
        }

        ModelRef modelRef() {
            return ModelRef.newBuilder()
                    .setUri(modelUri)
                    .setSha256(modelSha256)
                    .setSizeBytes(modelSizeBytes)
                    .build();
        }
    }

    /** The persisted fields (public for Jackson). */
    public static final class State {
        public String jobId;
        public int attempt;
        public TreeMap<Integer, String> trained = new TreeMap<>();
        public TreeMap<Integer, Round> aggregated = new TreeMap<>();
        public String genesis;
        public Integer momentumEpoch;
        public String resultFileName;
    }

    private final Path dir;
    private final Path file;
    private final State state;

    private JobStore(Path dir, State state) {
        this.dir = dir;
        this.file = dir.resolve("state.json");
        this.state = state;
    }

    /** The attempt's directory under {@code jobsDir}. */
    static Path attemptDir(Path jobsDir, String jobId, int attempt) {
        return jobsDir.resolve(jobId.toLowerCase(java.util.Locale.ROOT))
                .resolve("attempt-" + attempt);
    }

    /** Loads the attempt's state, or starts an empty one; an unreadable file starts over. */
    static JobStore open(Path dir, String jobId, int attempt) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("state.json");
        State state = null;
        if (Files.exists(file)) {
            try {
                state = JSON.readValue(file.toFile(), State.class);
                log.info(
                        "Resuming job state [jobId:{}, attempt:{}, trained:{}, aggregated:{}]",
                        jobId,
                        attempt,
                        state.trained.keySet(),
                        state.aggregated.keySet());
            } catch (IOException e) {
                log.warn(
                        "Job state unreadable, starting over [file:{}, error:{}]",
                        file,
                        e.getMessage());
            }
        }
        if (state == null || !jobId.equalsIgnoreCase(state.jobId) || state.attempt != attempt) {
            state = new State();
            state.jobId = jobId;
            state.attempt = attempt;
        }
        return new JobStore(dir, state);
    }

    Path dir() {
        return dir;
    }

    boolean trained(int epoch) {
        return state.trained.containsKey(epoch);
    }

    /** The sha256 of the model epoch {@code epoch} started from, or null. */
    String trainedFrom(int epoch) {
        return state.trained.get(epoch);
    }

    void markTrained(int epoch, String startSha256) throws IOException {
        state.trained.put(epoch, startSha256);
        save();
    }

    boolean aggregated(int epoch) {
        return state.aggregated.containsKey(epoch);
    }

    Round round(int epoch) {
        return state.aggregated.get(epoch);
    }

    void markAggregated(int epoch, Round round) throws IOException {
        state.aggregated.put(epoch, round);
        save();
    }

    String genesis() {
        return state.genesis;
    }

    void genesis(String link) throws IOException {
        state.genesis = link;
        save();
    }

    Integer momentumEpoch() {
        return state.momentumEpoch;
    }

    void momentumEpoch(int epoch) throws IOException {
        state.momentumEpoch = epoch;
        save();
    }

    String resultFileName() {
        return state.resultFileName;
    }

    void resultFileName(String fileName) throws IOException {
        state.resultFileName = fileName;
        save();
    }

    Path momentumFile() {
        return dir.resolve("momentum.emwt");
    }

    private void save() throws IOException {
        Path tmp = dir.resolve("state.json.tmp");
        JSON.writeValue(tmp.toFile(), state);
        try {
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
