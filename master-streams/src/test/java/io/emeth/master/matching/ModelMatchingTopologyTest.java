package io.emeth.master.matching;

import static io.emeth.master.testing.TestConfigs.emt;
import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.master.testing.MasterDriver;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.worker.TrainingAssigned;
import io.emeth.schemas.avro.worker.WorkerAssignment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Jobs go only to workers that hold their pretrained model (the {@code models} table: program 0,
 * {@code en} → gpt2-medium, {@code ja} → japanese-gpt2-medium by default), and their {@code
 * TrainingAssigned} names it.
 */
class ModelMatchingTopologyTest {
    static final Duration T = Duration.ofSeconds(100_000); // gas 5: the margin needs 52
    static final String EN = "gpt2-medium";
    static final String JA = "japanese-gpt2-medium";

    private MasterDriver master = new MasterDriver(TestConfigs.config("nvm"));

    @AfterEach
    void close() {
        master.close();
    }

    @Test
    void shouldMatchOnlyWorkersHoldingTheJobsModelAndNameIt() {
        // Given a strong worker holding only the Japanese model and a weaker one holding English
        NodeIdentity japanese = TestConfigs.worker(1);
        NodeIdentity english = TestConfigs.worker(2);
        master.register(japanese, 100, List.of(JA));
        master.register(english, 60, List.of(EN, "gpt2"));

        // When an English job is requested
        String job = master.request(emt(20), 4_096, T, "{\"language\": \"en\"}");

        // Then the English worker gets it, told which checkpoint to fine-tune
        List<WorkerAssignment> assigned = master.assignmentsFor(job, TrainingAssigned.class);
        assertThat(assigned)
                .extracting(WorkerAssignment::getWorker)
                .containsExactly(english.address());
        assertThat(((TrainingAssigned) assigned.get(0).getPayload()).getModelName()).isEqualTo(EN);
    }

    @Test
    void shouldKeepAJobPendingWhileNoWorkerHoldsItsModelAndNameTheModelWhenItExpires() {
        // Given only English workers
        NodeIdentity english = TestConfigs.worker(1);
        master.register(english, 100, List.of(EN));

        // When a Japanese job is requested
        String job = master.request(emt(20), 4_096, T, "{\"language\": \"ja\"}");

        // Then it waits, and once its margin has passed it is INELIGIBLE naming the model
        assertThat(master.job(job).getState()).isEqualTo(JobState.REQUESTED);
        master.advance(Duration.ofSeconds(96_401));
        master.register(english, 100, List.of(EN));
        assertThat(master.job(job).getState()).isEqualTo(JobState.INELIGIBLE);
        assertThat(master.job(job).getLastError()).contains("holding model " + JA);
        assertThat(master.assignments()).isEmpty();
    }

    @Test
    void shouldMatchAJapaneseJobOnceAWorkerWithItsModelRegisters() {
        // Given a Japanese job waiting next to an English worker
        master.register(TestConfigs.worker(1), 100, List.of(EN));
        String job = master.request(emt(20), 4_096, T, "{\"language\": \"ja\"}");

        // When a worker holding the Japanese model registers
        NodeIdentity japanese = TestConfigs.worker(2);
        master.register(japanese, 60, List.of(JA));

        // Then it takes the job
        assertThat(master.assignmentsFor(job, TrainingAssigned.class))
                .extracting(WorkerAssignment::getWorker)
                .containsExactly(japanese.address());
    }

    @Test
    void shouldTreatAWorkerAdvertisingNoModelsAsHoldingAny() {
        // Given an older worker whose registration lists no models
        NodeIdentity older = TestConfigs.worker(1);
        master.register(older, 100);

        // When a Japanese job is requested
        String job = master.request(emt(20), 4_096, T, "{\"language\": \"ja\"}");

        // Then it is matched (compatibility rule), still naming the model
        List<WorkerAssignment> assigned = master.assignmentsFor(job, TrainingAssigned.class);
        assertThat(assigned)
                .extracting(WorkerAssignment::getWorker)
                .containsExactly(older.address());
        assertThat(((TrainingAssigned) assigned.get(0).getPayload()).getModelName()).isEqualTo(JA);
    }

    @Test
    void shouldRefuseAtOnceAJobWhoseLanguageHasNoModelConfigured() {
        // Given a master whose models table knows only English
        master.close();
        master =
                new MasterDriver(
                        TestConfigs.config("nvm", "\"models\": {\"0\": {\"en\": \"" + EN + "\"}}"));
        master.register(TestConfigs.worker(1), 100, List.of(EN));

        // When a Japanese job is requested
        String job = master.request(emt(20), 4_096, T, "{\"language\": \"ja\"}");

        // Then it is INELIGIBLE at once, saying why
        assertThat(master.job(job).getState()).isEqualTo(JobState.INELIGIBLE);
        assertThat(master.job(job).getLastError())
                .contains("no model is configured for program 0 in language ja");
    }
}
