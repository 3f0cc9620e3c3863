package io.emeth.schemas.registry;

import java.util.ArrayList;
import java.util.Collection;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * A specific reader that does not trust an array's or map's declared item count for its initial
 * capacity (hostile input could declare two billion items in five bytes); collections still grow to
 * whatever the data really holds.
 *
 * <p>Arrays are read into plain {@link ArrayList}s: Avro's {@code GenericData.Array} compares and
 * hashes with the global data model, which lacks the logical-type conversions, so {@code equals} of
 * a record holding an array of records with a nullable timestamp would throw.
 */
final class BoundedSpecificDatumReader<T> extends SpecificDatumReader<T> {
    private static final int MAX_INITIAL_CAPACITY = 1024;

    BoundedSpecificDatumReader(Schema writer, Schema reader, SpecificData data) {
        super(writer, reader, data);
    }

    @Override
    protected Object newArray(Object old, int size, Schema schema) {
        if (old instanceof Collection<?> collection) {
            collection.clear();
            return collection;
        }
        return new ArrayList<>(Math.min(size, MAX_INITIAL_CAPACITY));
    }

    @Override
    protected Object newMap(Object old, int size) {
        return super.newMap(old, Math.min(size, MAX_INITIAL_CAPACITY));
    }
}
