package io.emeth.schemas.registry;

import java.nio.ByteBuffer;
import org.apache.avro.Conversions;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;

/**
 * The Confluent wire format: magic byte {@code 0}, the writer schema's registry id as a big-endian
 * 4-byte int, then the Avro binary encoding. Also the subject naming (TopicNameStrategy) and the
 * Avro data model with every logical-type conversion the generated classes use.
 */
public final class AvroWireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    // immutable after class init: conversions for decimal (uint256), timestamps and the rest
    static final SpecificData MODEL = model();

    private AvroWireFormat() {}

    /** TopicNameStrategy: {@code <topic>-value}, or {@code <topic>-key} for keys. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    /** The 5-byte header for a value written with schema {@code id}. */
    public static byte[] header(int id) {
        return ByteBuffer.allocate(HEADER_SIZE).put(MAGIC_BYTE).putInt(id).array();
    }

    private static SpecificData model() {
        SpecificData data = new SpecificData(AvroWireFormat.class.getClassLoader());
        data.addLogicalTypeConversion(new Conversions.DecimalConversion());
        data.addLogicalTypeConversion(new Conversions.UUIDConversion());
        data.addLogicalTypeConversion(new TimeConversions.DateConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
        // the fast reader allocates arrays at their declared size, bypassing the bounds of
        // BoundedSpecificDatumReader; hostile input must not cost gigabytes
        data.setFastReaderEnabled(false);
        return data;
    }
}
