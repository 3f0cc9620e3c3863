package io.emeth.worker.training;

/**
 * Text ↔ token ids, as training and sampling need them: the model directory's tokenizer for a
 * pretrained GPT-2 ({@code tokenizer.json}), bytes for the byte-level fixture.
 */
public interface TokenEncoder {

    /** The token ids of {@code text}, without special tokens. */
    int[] encode(String text);

    /** The text of token ids. */
    String decode(int[] ids);

    /** UTF-8 bytes as tokens 0..255: the byte-level fixture's encoding. */
    TokenEncoder BYTES =
            new TokenEncoder() {
                @Override
                public int[] encode(String text) {
                    return ofBytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }

                @Override
                public String decode(int[] ids) {
                    long[] tokens = new long[ids.length];
                    for (int i = 0; i < ids.length; i++) {
                        tokens[i] = ids[i];
                    }
                    return ByteTokenizer.decode(tokens);
                }
            };

    /** Bytes as byte tokens. */
    static int[] ofBytes(byte[] bytes) {
        int[] tokens = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            tokens[i] = bytes[i] & 0xFF;
        }
        return tokens;
    }
}
