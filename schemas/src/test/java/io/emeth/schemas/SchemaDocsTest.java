package io.emeth.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Every record, enum and field of the catalog explains itself with a doc. */
class SchemaDocsTest {

    @Test
    void shouldDocumentEveryNamedTypeAndField() {
        List<String> undocumented = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Schema schema : ReleasedSchemas.load(Path.of("src/main/avro")).values()) {
            collect(schema, seen, undocumented);
        }

        assertThat(seen).hasSizeGreaterThan(50);
        assertThat(undocumented).as("types and fields without a doc").isEmpty();
    }

    private static void collect(Schema schema, Set<String> seen, List<String> undocumented) {
        switch (schema.getType()) {
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, seen, undocumented));
            case ARRAY -> collect(schema.getElementType(), seen, undocumented);
            case MAP -> collect(schema.getValueType(), seen, undocumented);
            case RECORD, ENUM, FIXED -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                if (isBlank(schema.getDoc())) {
                    undocumented.add(schema.getFullName());
                }
                if (schema.getType() == Schema.Type.RECORD) {
                    for (Schema.Field field : schema.getFields()) {
                        if (isBlank(field.doc())) {
                            undocumented.add(schema.getFullName() + "." + field.name());
                        }
                        collect(field.schema(), seen, undocumented);
                    }
                }
            }
            default -> {}
        }
    }

    private static boolean isBlank(String doc) {
        return doc == null || doc.isBlank();
    }
}
