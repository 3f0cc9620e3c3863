package io.emeth.admin.sink;

import io.emeth.admin.db.Database;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.view.JobView;
import io.emeth.schemas.avro.view.WorkerView;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Writes views and events straight into a database, as the sink would, for read-side tests. */
public final class SinkFixtures {
    private SinkFixtures() {}

    /**
     * Projects and writes each value ({@code JobView}, {@code WorkerView}, {@code TrainingEvent}).
     */
    public static void seed(Database db, String master, Object... values) throws SQLException {
        Projections projections = new Projections(master);
        List<RowChange> rows = new ArrayList<>();
        for (Object value : values) {
            if (value instanceof JobView job) {
                rows.addAll(projections.jobView(job.getJobId(), job));
            } else if (value instanceof WorkerView worker) {
                rows.addAll(projections.workerView(worker.getWorker(), worker));
            } else if (value instanceof TrainingEvent event) {
                rows.addAll(projections.trainingEvent(event.getJobId(), event));
            } else {
                throw new IllegalArgumentException("cannot seed a " + value.getClass());
            }
        }
        db.transaction(
                c -> {
                    try (SinkWriter writer = new SinkWriter(c, db.dialect())) {
                        writer.apply(rows);
                    }
                    return null;
                });
    }
}
