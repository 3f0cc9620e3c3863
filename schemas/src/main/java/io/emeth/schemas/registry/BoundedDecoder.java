package io.emeth.schemas.registry;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder that refuses a string, bytes or fixed longer than what is left of the
 * input before allocating it. Avro's own decoder allocates the declared length first, so ten
 * hostile bytes declaring a 2 GB string would cost 2 GB of heap.
 */
final class BoundedDecoder extends Decoder {
    private final ByteSlice input;
    private final BinaryDecoder decoder;

    BoundedDecoder(ByteSlice input) {
        this.input = input;
        this.decoder = DecoderFactory.get().directBinaryDecoder(input, null);
    }

    /** Bytes not yet consumed. */
    int remaining() {
        return input.available();
    }

    @Override
    public void readNull() throws IOException {
        decoder.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return decoder.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return decoder.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return decoder.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return decoder.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return decoder.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        return new Utf8(readLengthPrefixed("string"));
    }

    @Override
    public String readString() throws IOException {
        return new Utf8(readLengthPrefixed("string")).toString();
    }

    @Override
    public void skipString() throws IOException {
        decoder.skipFixed(length("string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        return ByteBuffer.wrap(readLengthPrefixed("bytes"));
    }

    @Override
    public void skipBytes() throws IOException {
        decoder.skipFixed(length("bytes"));
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        requireAvailable(length, "fixed");
        decoder.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        requireAvailable(length, "fixed");
        decoder.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return decoder.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return decoder.readArrayStart();
    }

    @Override
    public long arrayNext() throws IOException {
        return decoder.arrayNext();
    }

    @Override
    public long skipArray() throws IOException {
        return decoder.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
        return decoder.readMapStart();
    }

    @Override
    public long mapNext() throws IOException {
        return decoder.mapNext();
    }

    @Override
    public long skipMap() throws IOException {
        return decoder.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return decoder.readIndex();
    }

    private byte[] readLengthPrefixed(String what) throws IOException {
        byte[] bytes = new byte[length(what)];
        decoder.readFixed(bytes, 0, bytes.length);
        return bytes;
    }

    private int length(String what) throws IOException {
        long length = decoder.readLong();
        if (length < 0) {
            throw new IOException(what + " with negative length " + length);
        }
        requireAvailable(length, what);
        return (int) length;
    }

    private void requireAvailable(long length, String what) throws EOFException {
        if (length > remaining()) {
            throw new EOFException(
                    what
                            + " of "
                            + length
                            + " bytes declared but only "
                            + remaining()
                            + " bytes remain");
        }
    }
}
