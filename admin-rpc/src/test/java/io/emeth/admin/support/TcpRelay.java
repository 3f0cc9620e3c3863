package io.emeth.admin.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a loopback port of its own to a server (the JVM's schema registry), so that a test
 * can make that server unreachable for one client and back again, at the same address, without
 * stopping it for the rest of the JVM: {@link #close()} refuses new connections and cuts open ones.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private TcpRelay(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
    }

    /** Relays {@code 127.0.0.1:port} to {@code 127.0.0.1:targetPort}. */
    public static TcpRelay start(int port, int targetPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            TcpRelay relay = new TcpRelay(server, targetPort);
            Thread accept = new Thread(relay::accept, "tcp-relay-" + port);
            accept.setDaemon(true);
            accept.start();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot relay port " + port, e);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(target);
                pipe(client, target);
                pipe(target, client);
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection end
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread thread =
                new Thread(
                        () -> {
                            try (InputStream in = from.getInputStream();
                                    OutputStream out = to.getOutputStream()) {
                                in.transferTo(out);
                            } catch (IOException e) {
                                // one side closed
                            } finally {
                                closeQuietly(from);
                                closeQuietly(to);
                            }
                        },
                        "tcp-relay-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closeQuietly(server);
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
