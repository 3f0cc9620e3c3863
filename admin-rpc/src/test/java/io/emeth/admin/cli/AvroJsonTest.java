package io.emeth.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.emeth.schemas.EventSamples;
import io.emeth.schemas.avro.training.TrainingEvent;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Avro values as the JSON lines of topics tail. */
class AvroJsonTest {
    @Test
    void shouldRenderEverySampleEventWithoutUnionWrappers() {
        for (EventSamples.Sample sample : EventSamples.all()) {
            JsonNode json = AvroJson.toJson(sample.value());
            assertThat(json.isObject()).as(sample.description()).isTrue();
            assertThat(json.toString()).as(sample.description()).doesNotContain("\"io.emeth.");
            if (sample.value().getSchema().getField("payload") != null) {
                assertThat(json.at("/payload/@type").asText())
                        .as(sample.description())
                        .isEqualTo(sample.description());
            }
        }
    }

    @Test
    void shouldRenderWeiAsExactDecimalTextAndTimesAsIso() {
        JsonNode json = AvroJson.toJson(EventSamples.jobView());
        assertThat(json.get("fee").asText()).isEqualTo(EventSamples.MAX_UINT256.toPlainString());
        assertThat(json.get("deadline").asText()).isEqualTo("2023-11-15T22:13:20.123Z");
        assertThat(json.get("state").asText()).isEqualTo("PROCESSING");
        assertThat(json.get("losses").get(0).asDouble()).isEqualTo(2.1);
        assertThat(json.get("lastError").isNull()).isTrue();
    }

    @Test
    void shouldRenderNonFiniteLossesAsText() {
        SpecificRecord event =
                io.emeth.admin.Seeds.shard(
                        io.emeth.admin.Seeds.jobId(1), io.emeth.admin.Seeds.WORKER, 1, Double.NaN);
        JsonNode json = AvroJson.toJson((TrainingEvent) event);
        assertThat(json.at("/payload/loss").asText()).isEqualTo("NaN");
    }
}
