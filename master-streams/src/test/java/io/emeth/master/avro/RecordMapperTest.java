package io.emeth.master.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.IndexedRecord;
import org.junit.jupiter.api.Test;

/**
 * The mapping between the master's Java types and their Avro schemas is checked when it is built: a
 * field, a branch or an enum constant on one side only stops the master at start with the class and
 * the name, so that a field added to a processor's record is never dropped silently on its way to a
 * store.
 */
class RecordMapperTest {
    enum Colour {
        RED,
        GREEN
    }

    record Point(String name, long x, Integer y, Colour colour, List<String> tags) {}

    sealed interface Shape permits Circle, Square {}

    record Circle(long r) implements Shape {}

    record Square(long side) implements Shape {}

    private static Schema point(boolean withTags, String... colours) {
        var fields =
                SchemaBuilder.record("Point")
                        .namespace("test")
                        .fields()
                        .requiredString("name")
                        .requiredLong("x")
                        .optionalInt("y")
                        .name("colour")
                        .type()
                        .enumeration("Colour")
                        .symbols(colours)
                        .noDefault();
        if (withTags) {
            fields = fields.name("tags").type().array().items().stringType().noDefault();
        }
        return fields.endRecord();
    }

    @Test
    void shouldMapARecordBothWays() {
        RecordMapper<Point> mapper = RecordMapper.of(Point.class, point(true, "RED", "GREEN"));
        Point p = new Point("a", 1, null, Colour.GREEN, List.of("t"));

        IndexedRecord avro = mapper.toAvro(p);

        assertThat(mapper.fromAvro(avro)).isEqualTo(p);
    }

    @Test
    void shouldNameAJavaFieldTheSchemaLacks() {
        assertThatThrownBy(() -> RecordMapper.of(Point.class, point(false, "RED", "GREEN")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Point")
                .hasMessageContaining("only in Java [tags]");
    }

    @Test
    void shouldNameAnEnumConstantTheSchemaLacks() {
        assertThatThrownBy(() -> RecordMapper.of(Point.class, point(true, "RED")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Point.colour")
                .hasMessageContaining("GREEN");
    }

    @Test
    void shouldNameARecordOfASealedInterfaceWithoutABranch() {
        Schema circle =
                SchemaBuilder.record("Circle")
                        .namespace("test")
                        .fields()
                        .requiredLong("r")
                        .endRecord();
        Schema envelope =
                SchemaBuilder.record("ShapeRecord")
                        .namespace("test")
                        .fields()
                        .name("payload")
                        .type(Schema.createUnion(circle))
                        .noDefault()
                        .endRecord();

        assertThatThrownBy(() -> RecordMapper.of(Shape.class, envelope))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Square");
    }

    @Test
    void shouldRefuseANullableSchemaForAPrimitive() {
        Schema schema =
                SchemaBuilder.record("Circle")
                        .namespace("test")
                        .fields()
                        .optionalLong("r")
                        .endRecord();

        assertThatThrownBy(() -> RecordMapper.of(Circle.class, schema))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Circle.r");
    }
}
