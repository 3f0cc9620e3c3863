package io.emeth.worker.training;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level tokenizer: a token is one byte of the UTF-8 text (id 0..255).
 *
 * <p>It needs no vocabulary file and handles every language the same way (a Japanese character is
 * three tokens), which is why program 0 uses it: the original network trained on English and
 * Japanese data sets.
 */
public final class ByteTokenizer {

    private ByteTokenizer() {}

    /** Token ids of raw bytes (already UTF-8 text). */
    public static long[] encode(byte[] bytes) {
        long[] tokens = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            tokens[i] = bytes[i] & 0xFF;
        }
        return tokens;
    }

    /** Token ids of a string's UTF-8 encoding. */
    public static long[] encode(String text) {
        return encode(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Text of token ids; invalid UTF-8 (a model can emit any byte) becomes U+FFFD.
     *
     * @throws IllegalArgumentException if an id is outside 0..255
     */
    public static String decode(long[] tokens) {
        byte[] bytes = new byte[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] > 255) {
                throw new IllegalArgumentException(
                        "token " + tokens[i] + " at position " + i + " is not a byte (0..255)");
            }
            bytes[i] = (byte) tokens[i];
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
