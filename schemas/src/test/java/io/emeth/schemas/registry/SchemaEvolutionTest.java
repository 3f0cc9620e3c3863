package io.emeth.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.avro.WorkerPhase;
import io.emeth.schemas.avro.view.WorkerState;
import io.emeth.schemas.avro.view.WorkerView;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

    /** WorkerView as an earlier release might have had it: without the optional tail fields. */
    private static final Schema WORKER_VIEW_V1 =
            new Schema.Parser()
                    .parse(
                            """
                            {"type": "record", "name": "WorkerView",
                             "namespace": "io.emeth.schemas.avro.view",
                             "fields": [
                              {"name": "worker", "type": "string"},
                              {"name": "pool", "type": "string"},
                              {"name": "state", "type": {"type": "enum", "name": "WorkerState",
                                "symbols": ["IDLE", "RESERVED", "TRAINING", "LOST"]}},
                              {"name": "powerCapacity", "type": "long"},
                              {"name": "device", "type": "string"},
                              {"name": "url", "type": "string"},
                              {"name": "phase", "type": {"type": "enum", "name": "WorkerPhase",
                                "namespace": "io.emeth.schemas.avro",
                                "symbols": ["NONE", "LEARNING"], "default": "NONE"}},
                              {"name": "jobId", "type": ["null", "string"], "default": null},
                              {"name": "lastHeartbeatAt", "type": ["null", "long"], "default": null},
                              {"name": "updatedAt", "type": "long"}
                             ]}
                            """);

    @Test
    void shouldReadDataWrittenBeforeACompatibleEvolutionWithTheNewFieldsDefaults()
            throws Exception {
        // Given a value written with the older schema, registered first
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        int v1 = registry.register("worker-status-value", WORKER_VIEW_V1);
        GenericRecord old = new GenericData.Record(WORKER_VIEW_V1);
        old.put("worker", "0xw");
        old.put("pool", "0xp");
        old.put(
                "state",
                new GenericData.EnumSymbol(WORKER_VIEW_V1.getField("state").schema(), "LOST"));
        old.put("powerCapacity", 7L);
        old.put("device", "cpu");
        old.put("url", "http://w");
        old.put(
                "phase",
                new GenericData.EnumSymbol(WORKER_VIEW_V1.getField("phase").schema(), "LEARNING"));
        old.put("jobId", null);
        old.put("lastHeartbeatAt", 5L);
        old.put("updatedAt", 9L);
        byte[] bytes = SpecificAvroDeserializerTest.encode(v1, WORKER_VIEW_V1, old);

        // When the current class registers (a compatible evolution) and reads the old value
        int v2 = registry.register("worker-status-value", WorkerView.getClassSchema());
        WorkerView read =
                new SpecificAvroDeserializer<>(registry, WorkerView.class)
                        .deserialize("worker-status", bytes);

        // Then the old fields come through and the new ones take their defaults
        assertThat(v2).isNotEqualTo(v1);
        assertThat(registry.versions("worker-status-value")).containsExactly(1, 2);
        assertThat(read.getState()).isEqualTo(WorkerState.LOST);
        assertThat(read.getPhase()).isEqualTo(WorkerPhase.LEARNING);
        assertThat(read.getLastHeartbeatAt()).isEqualTo(Instant.ofEpochMilli(5));
        assertThat(read.getAttempt()).isNull();
        assertThat(read.getProgress()).isNull();
        assertThat(read.getLastError()).isNull();
    }
}
