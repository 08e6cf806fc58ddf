package org.osms.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Build step before the PostgreSQL test server starts: a fresh database {@code <name>} owned by role
 * {@code <name>_owner}, and the application role {@code <name>_app} with nothing granted yet (the migrations grant
 * it what it needs). This is what an operator does once by hand (README, "PostgreSQL").
 *
 * <p>Connects as {@code postgres} to 127.0.0.1:5432 unless {@code OSMS_TEST_PG_ADMIN_URL} says otherwise.
 */
public final class PostgresTestDatabase {
    private PostgresTestDatabase() {
    }

    public static void main(String[] args) throws SQLException {
        String name = args[0];
        if (!name.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("unsafe database name: " + name);
        }
        String adminUrl = adminUrl();
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            s.execute("DROP DATABASE IF EXISTS " + name);
            ensureRole(s, name + "_owner", name + "-owner");
            ensureRole(s, name + "_app", name + "-app");
            s.execute("CREATE DATABASE " + name + " OWNER " + name + "_owner");
        }
        System.out.println("PostgreSQL test database " + name + " created");
    }

    /**
     * A connection to the test database {@code database} as the administrator of {@link #main} (the same account
     * and server, {@code OSMS_TEST_PG_ADMIN_URL} with its database replaced): for tests that change the database
     * behind the server's back.
     */
    public static Connection connectAsAdministrator(String database) throws SQLException {
        if (!database.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("unsafe database name: " + database);
        }
        String url = adminUrl().replaceFirst("^(jdbc:postgresql://[^/?]+/)[^?]*", "$1" + database);
        if (!url.startsWith("jdbc:postgresql://") || !url.contains("/" + database)) {
            throw new IllegalArgumentException("OSMS_TEST_PG_ADMIN_URL names no database to replace");
        }
        return DriverManager.getConnection(url);
    }

    private static String adminUrl() {
        return System.getenv().getOrDefault("OSMS_TEST_PG_ADMIN_URL",
                "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
    }

    private static void ensureRole(Statement s, String role, String password) throws SQLException {
        boolean exists;
        try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
            exists = r.next();
        }
        if (!exists) {
            s.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
        } else {
            s.execute("ALTER ROLE " + role + " LOGIN PASSWORD '" + password + "'");
        }
    }
}
