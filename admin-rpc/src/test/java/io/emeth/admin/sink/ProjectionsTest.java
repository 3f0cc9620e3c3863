package io.emeth.admin.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.admin.Seeds;
import io.emeth.schemas.EventSamples;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each record does to the tables. */
class ProjectionsTest {
    private static final String ME = Seeds.NODE;
    private final Projections projections = new Projections(ME);

    @Test
    void shouldProjectOurJobIntoTheOriginalTables() {
        // Given a job in its first attempt, 5 MB and a bit, one validation loss
        JobView view = Seeds.job(Seeds.jobId(1), JobState.PROCESSING, JobStatus.PROCESSING, 2.5);

        // When
        List<RowChange> rows = projections.jobView(view.getJobId(), view);

        // Then jobs holds the original columns, contributions the worker, job_losses the point
        RowChange job = only(rows, "jobs");
        assertThat(job.get("job_id")).isEqualTo(Seeds.jobId(1));
        assertThat(job.get("data_size_mb")).isEqualTo(5L);
        assertThat(job.get("status")).isEqualTo(2);
        assertThat(job.get("num_attempt")).isEqualTo(1);
        assertThat(job.get("program_id")).isEqualTo(0L);
        RowChange contribution = only(rows, "contributions");
        assertThat(contribution.get("worker_address")).isEqualTo(Seeds.WORKER);
        assertThat(contribution.get("master_address")).isEqualTo(EventSamples.NODE);
        assertThat(contribution.get("status")).isEqualTo(0);
        assertThat(contribution.get("started_at")).isEqualTo(Seeds.AT.toEpochMilli());
        assertThat(contribution.get("ended_at")).isNull();
        RowChange loss = only(rows, "job_losses");
        assertThat(loss.get("epoch")).isEqualTo(1);
        assertThat(loss.get("validation_loss")).isEqualTo(2.5);
        RowChange details = only(rows, "job_details");
        assertThat(details.get("fee")).isEqualTo("20000000000000000000");
        assertThat(details.get("state")).isEqualTo("PROCESSING");
    }

    @Test
    void shouldKeepAJobThisNodeNeverTookOutOfTheOriginalTables() {
        JobView view = Seeds.requested(Seeds.jobId(2));
        List<RowChange> rows = projections.jobView(view.getJobId(), view);
        assertThat(rows).extracting(RowChange::table).containsExactly("job_details");
        assertThat(rows.get(0).get("last_error")).isEqualTo("fee 50 EMT is above max_fee 30 EMT");
    }

    @Test
    void shouldKeepFeesAbove64BitsExact() {
        JobView view =
                JobView.newBuilder(EventSamples.jobView()).setFee(EventSamples.MAX_UINT256).build();
        RowChange details = only(projections.jobView(view.getJobId(), view), "job_details");
        assertThat(details.get("fee")).isEqualTo(EventSamples.MAX_UINT256.toPlainString());
    }

    @ParameterizedTest
    @CsvSource({
        "REQUESTED, 0",
        "INELIGIBLE, 0",
        "MATCHED, 0",
        "PROCESSING, 2",
        "SUBMITTING, 2",
        "SUBMITTED, 3",
        "VERIFIED, 4",
        "REJECTED, 5",
        "CANCELED, 6",
        "TIMEOUT, 7",
        "FAILED, 8",
        "DECLINED, 9",
        "TAKEN, 2"
    })
    void shouldDeriveTheContractStatusFromTheStateWhenTheChainSaidNothing(
            JobState state, int code) {
        JobView view =
                JobView.newBuilder(EventSamples.jobView())
                        .setState(state)
                        .setChainStatus(null)
                        .build();
        assertThat(Projections.statusCode(view)).isEqualTo(code);
    }

    @Test
    void shouldPreferTheChainStatus() {
        JobView view =
                JobView.newBuilder(EventSamples.jobView())
                        .setState(JobState.SUBMITTING)
                        .setChainStatus(JobStatus.SUBMITTED)
                        .build();
        assertThat(Projections.statusCode(view)).isEqualTo(3);
    }

    @Test
    void shouldDeleteOnlyTheBoardRowOnATombstone() {
        List<RowChange> rows =
                projections.jobView(Seeds.jobId(3).toUpperCase().replace("0X", "0x"), null);
        assertThat(rows)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.kind()).isEqualTo(RowChange.Kind.DELETE);
                            assertThat(r.table()).isEqualTo("job_details");
                            assertThat(r.get("job_id")).isEqualTo(Seeds.jobId(3));
                        });
    }

    @Test
    void shouldDropNonFiniteLossesInsteadOfFailingTheWrite() {
        JobView view =
                Seeds.job(
                        Seeds.jobId(4),
                        JobState.PROCESSING,
                        JobStatus.PROCESSING,
                        2.0,
                        Double.NaN,
                        Double.POSITIVE_INFINITY);
        assertThat(projections.jobView(view.getJobId(), view))
                .filteredOn(r -> r.table().equals("job_losses"))
                .singleElement()
                .satisfies(r -> assertThat(r.get("epoch")).isEqualTo(1));
    }

    @Test
    void shouldCutOversizedTextToTheColumn() {
        JobView view =
                JobView.newBuilder(EventSamples.jobView())
                        .setLastError("e".repeat(100_000))
                        .setDataset("d".repeat(10_000))
                        .build();
        RowChange details = only(projections.jobView(view.getJobId(), view), "job_details");
        assertThat((String) details.get("last_error")).hasSize(2000).endsWith("…");
        assertThat((String) details.get("dataset")).hasSize(512);
    }

    @Test
    void shouldRefuseAMalformedJobIdNamingIt() {
        JobView view =
                JobView.newBuilder(EventSamples.jobView())
                        .setJobId("0x12'; DROP TABLE jobs")
                        .build();
        assertThatThrownBy(() -> projections.jobView("k", view))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed job id '0x12'; DROP TABLE jobs'");
    }

    @Test
    void shouldProjectAWorkerIntoBothWorkerTablesChecksummed() {
        WorkerView view =
                Seeds.worker(Seeds.WORKER.toLowerCase(), ME.toLowerCase(), WorkerState.TRAINING);
        List<RowChange> rows = projections.workerView(view.getWorker(), view);
        RowChange details = only(rows, "worker_details");
        assertThat(details.get("address")).isEqualTo(Seeds.WORKER);
        assertThat(details.get("pool")).isEqualTo(ME);
        assertThat(details.get("phase")).isEqualTo("LEARNING");
        RowChange original = only(rows, "workers");
        assertThat(original.get("url")).isEqualTo(view.getUrl());
        assertThat(original.get("address")).isEqualTo(Seeds.WORKER);
        assertThat(original.get("power_capacity")).isEqualTo(2_000L);
    }

    @Test
    void shouldLogEveryTrainingEventAndPlotAggregatedRounds() {
        for (EventSamples.Sample sample : EventSamples.all()) {
            if (sample.value() instanceof TrainingEvent event) {
                List<RowChange> rows = projections.trainingEvent(sample.key(), event);
                RowChange log = rows.get(0);
                assertThat(log.kind()).isEqualTo(RowChange.Kind.INSERT);
                assertThat(log.table()).isEqualTo("training_log");
                assertThat(log.get("kind")).asString().isNotBlank();
            }
        }
        List<RowChange> round =
                projections.trainingEvent(Seeds.jobId(5), Seeds.round(Seeds.jobId(5), 2, 1.75));
        assertThat(round)
                .extracting(RowChange::table)
                .containsExactly("training_log", "job_losses");
        assertThat(round.get(1).get("epoch")).isEqualTo(2);
        assertThat(round.get(1).get("validation_loss")).isEqualTo(1.75);
    }

    @Test
    void shouldDescribeAFailedTrainingWithItsPhase() {
        TrainingEvent failed =
                TrainingEvent.newBuilder(Seeds.shard(Seeds.jobId(6), Seeds.WORKER, 1, 1.0))
                        .setPayload(
                                TrainingFailed.newBuilder()
                                        .setEpoch(1)
                                        .setReason("learning timed out")
                                        .setPhase(io.emeth.schemas.avro.WorkerPhase.TIMEOUT)
                                        .build())
                        .build();
        RowChange log = projections.trainingEvent(Seeds.jobId(6), failed).get(0);
        assertThat(log.get("kind")).isEqualTo("TRAINING_FAILED");
        assertThat(log.get("detail")).isEqualTo("TIMEOUT: learning timed out");
    }

    private static RowChange only(List<RowChange> rows, String table) {
        List<RowChange> matching = rows.stream().filter(r -> r.table().equals(table)).toList();
        assertThat(matching).as("rows of %s", table).hasSize(1);
        return matching.get(0);
    }
}
