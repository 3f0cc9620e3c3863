package io.emeth.deploy.dev;

import io.emeth.deploy.OperatorException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Port checks and readiness waits for the local stack. */
final class Ports {
    private Ports() {}

    /** True when something accepts connections on 127.0.0.1:port. */
    static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails with a one-line fix when another program holds a port the stack needs. */
    static void requireFree(int port, String component, String option) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new OperatorException(
                    String.format(
                            "port %d, needed by %s, is in use by another program: stop it or choose"
                                    + " another port with `emeth dev up %s <port>`",
                            port, component, option));
        }
    }

    /** Waits until {@code ready} holds, failing with the component's log file named. */
    static void await(String component, Duration timeout, BooleanSupplier ready, String logHint) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new OperatorException(
                        component
                                + " did not become ready within "
                                + timeout.toSeconds()
                                + " s; see "
                                + logHint);
            }
            try {
                Thread.sleep(200); // polling an external process' readiness; no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OperatorException("interrupted while waiting for " + component);
            }
        }
    }
}
