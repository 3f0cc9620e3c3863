package io.emeth.common.http;

import java.io.IOException;
import java.io.InputStream;

/** What the node's HTTP servers do with request bodies they refuse. */
public final class RequestBodies {
    private RequestBodies() {}

    /**
     * Opens a request's body stream; a servlet may refuse with an {@link IllegalStateException}.
     */
    @FunctionalInterface
    public interface Body {
        InputStream open() throws IOException;
    }

    /**
     * Reads what is left of a refused request's body, up to {@code limit} bytes, so that a client
     * still sending gets to read the answer instead of a reset connection.
     *
     * @return false when the body was longer than {@code limit} or could not be read: the server
     *     should close the connection after its answer
     */
    public static boolean drain(Body body, long limit) {
        byte[] buffer = new byte[64 * 1024];
        long drained = 0;
        try {
            InputStream in = body.open();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                drained += n;
                if (drained > limit) {
                    return false;
                }
            }
            return true;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }
}
