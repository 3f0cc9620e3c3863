package io.emeth.admin.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket bound to a chosen local address (127.0.0.2, ::1 …), so that the
 * whitelist ITs can call from addresses the JDK 17 HTTP client cannot choose, and send what a
 * well-behaved client never would.
 */
public final class SocketHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, headers (lower-case names), body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text(), e);
            }
        }
    }

    private SocketHttp() {}

    /** POSTs a JSON body to {@code path} from {@code from}. */
    public static Response postJson(String from, String host, int port, String path, String body) {
        return send(
                from,
                host,
                port,
                "POST",
                path,
                Map.of("Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    public static Response get(
            String from, String host, int port, String path, Map<String, String> headers) {
        return send(from, host, port, "GET", path, headers, null);
    }

    /** Sends one request on a fresh connection from the local address {@code from}. */
    public static Response send(
            String from,
            String host,
            int port,
            String method,
            String path,
            Map<String, String> headers,
            byte[] body) {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(30_000);
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName(host), port), 10_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            // a caller's own Host header replaces the one naming the address connected to
            if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Host"))) {
                head.append("Host: ")
                        .append(host.contains(":") ? "[" + host + "]" : host)
                        .append(':')
                        .append(port)
                        .append("\r\n");
            }
            head.append("Connection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException(
                    method + " " + path + " from " + from + " failed: " + e, e);
        }
    }

    private static Response read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (split < 0) {
            throw new IOException("no HTTP response head in " + all.length + " bytes");
        }
        String[] lines = new String(all, 0, split, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, split + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        }
        return new Response(status, headers, rest);
    }

    private static byte[] dechunk(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < data.length) {
            int lineEnd =
                    indexOf(
                            java.util.Arrays.copyOfRange(data, pos, data.length),
                            "\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String sizeText =
                    new String(data, pos, lineEnd, StandardCharsets.ISO_8859_1)
                            .split(";")[0].strip();
            int size = Integer.parseInt(sizeText, 16);
            pos += lineEnd + 2;
            if (size == 0) {
                break;
            }
            out.write(data, pos, size);
            pos += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
