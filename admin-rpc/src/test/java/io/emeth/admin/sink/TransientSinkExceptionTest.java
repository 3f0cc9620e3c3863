package io.emeth.admin.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.schemas.registry.SchemaRegistryException;
import java.io.EOFException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class TransientSinkExceptionTest {
    @Test
    void shouldRetryWhenTheRegistryCannotBeReachedOrFailsItself() {
        for (int status : new int[] {0, 500, 503, 408, 429}) {
            SerializationException decoding =
                    new SerializationException(
                            "could not fetch schema id 7",
                            new SchemaRegistryException(status, status, "registry trouble"));
            assertThat(TransientSinkException.isTransient(decoding)).as("HTTP " + status).isTrue();
        }
    }

    @Test
    void shouldRejectTheRecordWhenTheRegistryAnswersThatItsSchemaIsUnknown() {
        SerializationException unknown =
                new SerializationException(
                        "unknown schema id 99", SchemaRegistryException.schemaNotFound("id 99"));
        assertThat(TransientSinkException.isTransient(unknown)).isFalse();
    }

    @Test
    void shouldRejectTheRecordWhenItsBytesDoNotDecode() {
        // Avro running out of a truncated value is an IOException, which no retry mends
        SerializationException truncated =
                new SerializationException("malformed Avro data", new EOFException());
        assertThat(TransientSinkException.isTransient(truncated)).isFalse();
        assertThat(TransientSinkException.isTransient(new IllegalArgumentException("bad key")))
                .isFalse();
    }
}
