package io.emeth.schemas.registry;

import java.io.InputStream;

/** An unsynchronised stream over part of a byte array that knows exactly how much remains. */
final class ByteSlice extends InputStream {
    private final byte[] bytes;
    private final int end;
    private int position;

    ByteSlice(byte[] bytes, int offset) {
        this.bytes = bytes;
        this.position = offset;
        this.end = bytes.length;
    }

    @Override
    public int read() {
        return position < end ? bytes[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] target, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        int count = Math.min(length, end - position);
        if (count <= 0) {
            return -1;
        }
        System.arraycopy(bytes, position, target, offset, count);
        position += count;
        return count;
    }

    @Override
    public long skip(long count) {
        long skipped = Math.max(0, Math.min(count, end - position));
        position += (int) skipped;
        return skipped;
    }

    @Override
    public int available() {
        return end - position;
    }
}
