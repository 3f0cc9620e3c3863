package io.emeth.admin.support;

import io.emeth.admin.db.Database;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases the sink ITs run against: a SQLite file in a temp folder, and a fresh database on
 * the real MariaDB server that {@code .ci/run} starts, found through {@value #URL_ENV} (or the
 * system property {@value #URL_PROPERTY}) as {@code mysql://user:password@host:port/}. Without it
 * the MariaDB tests fail under CI ({@code CI=true}) and are skipped, saying so, elsewhere.
 */
public final class ItDatabases {
    public static final String URL_ENV = "EMETH_IT_MYSQL_URL";
    public static final String URL_PROPERTY = "emeth.it.mysql.url";

    private ItDatabases() {}

    public static Database sqlite(Path folder) {
        return Database.sqlite(folder.resolve("emeth.db"));
    }

    /** A JDBC URL and credentials for a fresh, empty MariaDB database. */
    public record MariaDb(String jdbcUrl, String user, String password, String name) {
        public Database open() {
            return Database.mariadb(jdbcUrl, user, password);
        }

        /** The {@code external_db} URL form of this database. */
        public String externalDbUrl() {
            URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
            return "mysql://"
                    + user
                    + ":"
                    + password
                    + "@"
                    + u.getHost()
                    + ":"
                    + u.getPort()
                    + "/"
                    + name;
        }
    }

    /** Creates a database of its own on the IT server; fails under CI, skips elsewhere, if none. */
    public static MariaDb freshMariaDb() {
        String url = System.getProperty(URL_PROPERTY, System.getenv(URL_ENV));
        if (url == null || url.isBlank()) {
            String message =
                    URL_ENV
                            + " is not set, so there is no MariaDB server for this test; .ci/run"
                            + " starts one (see its MariaDB lines) and exports e.g. "
                            + URL_ENV
                            + "=mysql://emeth:emeth@127.0.0.1:33306/";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort("skipped: " + message);
        }
        URI uri = URI.create(url.strip());
        String[] userInfo =
                uri.getUserInfo() == null
                        ? new String[] {"root", ""}
                        : uri.getUserInfo().split(":", 2);
        String user = userInfo[0];
        String password = userInfo.length > 1 ? userInfo[1] : "";
        String server =
                "jdbc:mariadb://"
                        + uri.getHost()
                        + ":"
                        + (uri.getPort() < 0 ? 3306 : uri.getPort());
        String name = "emeth_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(server + "/", user, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
        } catch (Exception e) {
            Assertions.fail(
                    "cannot create a database on the MariaDB server of "
                            + URL_ENV
                            + " ("
                            + server
                            + " as "
                            + user
                            + "): "
                            + e.getMessage()
                            + "; is it running?",
                    e);
        }
        return new MariaDb(server + "/" + name, user, password, name);
    }
}
