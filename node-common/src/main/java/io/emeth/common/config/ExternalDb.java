package io.emeth.common.config;

import java.util.Objects;

/**
 * The MySQL/MariaDB database the JDBC sink writes to instead of SQLite ({@code external_db} in
 * {@code config/master.json}). {@link #toString()} masks the password.
 */
public record ExternalDb(String host, int port, String database, String user, String password) {
    public static final int DEFAULT_PORT = 3306;

    public ExternalDb {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("external_db.port must be 1..65535: " + port);
        }
    }

    /** A JDBC URL for the MariaDB driver, without credentials (pass those separately). */
    public String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:mariadb://" + h + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "ExternalDb[host="
                + host
                + ", port="
                + port
                + ", database="
                + database
                + ", user="
                + user
                + ", password="
                + (password.isEmpty() ? "" : Secrets.MASK)
                + "]";
    }
}
