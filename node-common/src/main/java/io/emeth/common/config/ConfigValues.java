package io.emeth.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.emeth.common.eth.Addresses;
import io.emeth.common.eth.NodeIdentity;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Validators for the value kinds both config files share, each error naming its key. */
final class ConfigValues {
    static final Set<String> HTTP = Set.of("http", "https");
    static final Set<String> RPC = Set.of("http", "https", "ws", "wss");

    private static final Pattern DEVICE = Pattern.compile("cpu|cuda|cuda:\\d{1,3}");
    private static final Pattern IPV4 =
            Pattern.compile(
                    "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");

    private ConfigValues() {}

    static String device(ConfigReader r, String key) {
        ConfigReader.Value v = r.value(key);
        String device = r.string(key, "cpu").toLowerCase(java.util.Locale.ROOT);
        if (!DEVICE.matcher(device).matches()) {
            throw r.error(v, key, "must be \"cpu\", \"cuda\" or \"cuda:N\", got '" + device + "'");
        }
        return device;
    }

    static String address(ConfigReader r, String key) {
        String text = r.requiredString(key, "an Ethereum address (0x + 40 hex digits)");
        try {
            return Addresses.checksummed(text);
        } catch (IllegalArgumentException e) {
            throw r.error(r.value(key), key, e.getMessage());
        }
    }

    static Optional<NodeIdentity> identity(ConfigReader r, String key) {
        ConfigReader.Value v = r.value(key);
        Optional<String> hex = r.optString(key);
        try {
            return hex.map(NodeIdentity::fromPrivateKey);
        } catch (IllegalArgumentException e) {
            // the message describes the key's shape, never its digits
            throw r.error(v, key, e.getMessage());
        }
    }

    static Duration millis(ConfigReader r, String key, long fallback, long min, long max) {
        return Duration.ofMillis(r.number(key, fallback, min, max));
    }

    static Path path(ConfigReader r, String key, String fallback) {
        ConfigReader.Value v = r.value(key);
        String text = r.string(key, fallback);
        try {
            if (text.indexOf('\0') >= 0) {
                throw new InvalidPathException(text, "NUL character");
            }
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw r.error(v, key, "not a file path: " + e.getReason());
        }
    }

    /**
     * Whitelist entries: {@code *}, {@code localhost}, IPv4/IPv6 literals or CIDRs, 0x addresses.
     */
    static List<String> whitelist(ConfigReader r, String key, List<String> fallback) {
        ConfigReader.Value v = r.value(key);
        List<String> entries = r.optStringList(key).orElse(fallback);
        for (String entry : entries) {
            if (!isWhitelistEntry(entry)) {
                throw r.error(
                        v,
                        key,
                        "'"
                                + ConfigReader.abbreviate(entry)
                                + "' is not an IP address, CIDR range, '*', 'localhost' or 0x"
                                + " address");
            }
        }
        return entries;
    }

    static boolean isWhitelistEntry(String entry) {
        if (entry.equals("*") || entry.equalsIgnoreCase("localhost") || Addresses.isValid(entry)) {
            return true;
        }
        String ip = entry;
        int slash = entry.indexOf('/');
        int maxPrefix = entry.contains(":") ? 128 : 32;
        if (slash >= 0) {
            ip = entry.substring(0, slash);
            String prefix = entry.substring(slash + 1);
            if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > maxPrefix) {
                return false;
            }
        }
        if (IPV4.matcher(ip).matches()) {
            return true;
        }
        // only literal IPv6 text reaches InetAddress, so no DNS lookup happens
        if (ip.contains(":") && IPV6.matcher(ip).matches()) {
            try {
                java.net.InetAddress.getByName(ip);
                return true;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * Host names or IP literals without scheme or port ({@code node.example.org}, {@code 10.0.0.5},
     * {@code ::1}), lower-cased; empty when the key is absent.
     */
    static List<String> hostNames(ConfigReader r, String key) {
        ConfigReader.Value v = r.value(key);
        List<String> names = new java.util.ArrayList<>();
        for (String entry : r.optStringList(key).orElse(List.of())) {
            String name = entry.strip().toLowerCase(java.util.Locale.ROOT);
            if (name.startsWith("[") && name.endsWith("]")) {
                name = name.substring(1, name.length() - 1);
            }
            boolean ok =
                    HOST.matcher(name).matches()
                            || name.contains(":") && IPV6.matcher(name).matches();
            if (!ok) {
                throw r.error(
                        v,
                        key,
                        "'"
                                + ConfigReader.abbreviate(entry)
                                + "' is not a host name or IP address (no scheme, no port)");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    /** {@code host:port[,host:port…]}, IPv6 hosts in brackets. */
    static String bootstrapServers(ConfigReader r, String key, String fallback) {
        ConfigReader.Value v = r.value(key);
        String text = r.string(key, fallback);
        for (String server : text.split(",")) {
            String s = server.strip();
            int colon = s.lastIndexOf(':');
            String host = colon > 0 ? s.substring(0, colon) : "";
            String port = colon > 0 ? s.substring(colon + 1) : "";
            boolean hostOk =
                    HOST.matcher(host).matches()
                            || host.startsWith("[") && host.endsWith("]") && host.length() > 2;
            if (!hostOk
                    || !port.matches("\\d{1,5}")
                    || Integer.parseInt(port) > 65535
                    || Integer.parseInt(port) == 0) {
                throw r.error(
                        v,
                        key,
                        "expected host:port[,host:port…], got '"
                                + ConfigReader.abbreviate(s)
                                + "'");
            }
        }
        return text.replace(" ", "");
    }

    /**
     * {@code external_db}: absent/empty for SQLite, an object {@code {host, port, database, user
     * (or username), password}}, or a {@code mysql://user:password@host:port/database} URL.
     */
    static Optional<ExternalDb> externalDb(ConfigReader r, String key) {
        ConfigReader.Value v = r.value(key);
        if (v == null) {
            return Optional.empty();
        }
        JsonNode node = v.node();
        if (node.isTextual() && !node.asText().strip().startsWith("{")) {
            return Optional.of(externalDbUrl(r, v, key, node.asText().strip()));
        }
        ConfigReader db = r.child(key);
        if (node.isObject() && node.isEmpty()) {
            return Optional.empty();
        }
        String host = db.requiredString("host", "the database server's host name");
        int port = db.intNumber("port", ExternalDb.DEFAULT_PORT, 1, 65535);
        String database = db.requiredString("database", "the database name");
        String user =
                db.optString("user")
                        .or(() -> db.optString("username"))
                        .orElseThrow(() -> db.error(null, "user", "missing (or 'username')"));
        String password = db.string("password", "");
        db.warnUnknownKeys();
        return Optional.of(new ExternalDb(host, port, database, user, password));
    }

    private static ExternalDb externalDbUrl(
            ConfigReader r, ConfigReader.Value v, String key, String text) {
        String problem = "expected an object or mysql://user:password@host:port/database";
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme();
            String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            if (!("mysql".equals(scheme) || "mariadb".equals(scheme))
                    || uri.getHost() == null
                    || path.isEmpty()
                    || uri.getUserInfo() == null) {
                throw r.error(v, key, problem);
            }
            String[] userInfo = uri.getUserInfo().split(":", 2);
            int port = uri.getPort() < 0 ? ExternalDb.DEFAULT_PORT : uri.getPort();
            return new ExternalDb(
                    uri.getHost(), port, path, userInfo[0], userInfo.length > 1 ? userInfo[1] : "");
        } catch (URISyntaxException e) {
            // never echo the text: it may hold a password
            throw r.error(v, key, problem + " (" + e.getReason() + ")");
        }
    }
}
