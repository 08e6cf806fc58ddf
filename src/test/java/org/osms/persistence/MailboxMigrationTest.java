package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Migration V4 gives every identity registered before it its mailbox, as registration does now: on a database at
 * version 3 holding identities with and without a mailbox (a deleted one among them), the schema's own migrations (db/migration), run by Flyway
 * as the server runs them, leave exactly one mailbox per identity, and the mailboxes that existed (with their
 * numbers and counters) unchanged.
 */
class MailboxMigrationTest {
    private static final Path MIGRATIONS = Path.of("db", "migration").toAbsolutePath();

    @Test
    void onTheEmbeddedDatabase() throws SQLException {
        String url = "jdbc:h2:mem:v4_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (Connection keepAlive = DriverManager.getConnection(url, "owner", "")) {
            keepAlive.createStatement().execute("CREATE USER IF NOT EXISTS osms_app PASSWORD 'x'");
            migrateAcrossV4(url, "owner", "");
        }
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "OSMS_TEST_POSTGRES", matches = "1|true")
    void onPostgreSql() throws SQLException {
        String admin = System.getenv().getOrDefault("OSMS_TEST_PG_ADMIN_URL",
                "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        String name = "osms_v4_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'osms_app') "
                    + "THEN CREATE ROLE osms_app NOLOGIN; END IF; END $$");
            s.execute("CREATE DATABASE " + name);
        }
        try {
            String url = admin.replaceFirst("/postgres\\?", "/" + name + "?");
            migrateAcrossV4(url, null, null);
        } finally {
            try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    private static void migrateAcrossV4(String url, String user, String password) throws SQLException {
        flyway(url, user, password, "3").migrate();
        try (Connection c = connect(url, user, password)) {
            for (long id = 1; id <= 4; id++) {
                insertIdentity(c, id, id == 4);
            }
            // identity 2 was sent messages before V4: its mailbox holds two, and its next number is 8
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO mailbox (identity_id, next_seq, message_count, byte_count) VALUES (2, 8, 2, 700)");
            }
            assertEquals(List.of(List.of(2L, 8L, 2L, 700L)), mailboxes(c));
        }

        assertEquals(1, flyway(url, user, password, "4").migrate().migrationsExecuted);

        try (Connection c = connect(url, user, password)) {
            assertEquals(List.of(List.of(1L, 1L, 0L, 0L), List.of(2L, 8L, 2L, 700L), List.of(3L, 1L, 0L, 0L),
                    List.of(4L, 1L, 0L, 0L)), mailboxes(c));
            // identity 2's two waiting messages (300 and 400 characters), from identity 1
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailbox_message (recipient_id, seq, sender_id,"
                    + " sender_username, sender_fingerprint, received_at, body) VALUES (2, ?, 1, 'user1', ?, 1, ?)")) {
                for (int i = 0; i < 2; i++) {
                    p.setLong(1, 6 + i);
                    p.setString(2, String.format("%040x", 1));
                    p.setString(3, "?OTR:" + "A".repeat(294 + 100 * i) + ".");
                    p.executeUpdate();
                }
            }
        }

        // V5: every message's length beside its body, as the mailbox counted it
        assertEquals(1, flyway(url, user, password, "5").migrate().migrationsExecuted);
        try (Connection c = connect(url, user, password)) {
            assertEquals(List.of(List.of(6L, 300L), List.of(7L, 400L)),
                    rows(c, "SELECT seq, body_length FROM mailbox_message ORDER BY seq"));
        }

        // V6: every existing identity, deleted ones included, starts at authority epoch 0, as a new one does
        assertEquals(1, flyway(url, user, password, "6").migrate().migrationsExecuted);
        try (Connection c = connect(url, user, password)) {
            assertEquals(List.of(List.of(1L, 0L), List.of(2L, 0L), List.of(3L, 0L), List.of(4L, 0L)),
                    rows(c, "SELECT id, authority_epoch FROM identity ORDER BY id"));
        }
    }

    private static Flyway flyway(String url, String user, String password, String target) {
        return Flyway.configure()
                .dataSource(url, user, password)
                .locations("filesystem:" + MIGRATIONS)
                .placeholders(Map.of("appUser", "osms_app"))
                .cleanDisabled(true)
                .target(target)
                .load();
    }

    private static Connection connect(String url, String user, String password) throws SQLException {
        return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
    }

    /** An identity as the directory writes one: its two claims, then its row (without its key once deleted). */
    private static void insertIdentity(Connection c, long id, boolean deleted) throws SQLException {
        String name = "user" + id;
        String fingerprint = String.format("%040x", id);
        try (PreparedStatement u = c.prepareStatement(
                "INSERT INTO username_claim (username, identity_id, claimed_at) VALUES (?, ?, 1)");
                PreparedStatement k = c.prepareStatement(
                        "INSERT INTO key_claim (fingerprint, identity_id, claimed_at) VALUES (?, ?, 1)");
                PreparedStatement i = c.prepareStatement("INSERT INTO identity (id, username, public_key, fingerprint, "
                        + "status, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1, 1, 1)")) {
            u.setString(1, name);
            u.setLong(2, id);
            u.executeUpdate();
            k.setString(1, fingerprint);
            k.setLong(2, id);
            k.executeUpdate();
            i.setLong(1, id);
            i.setString(2, name);
            i.setBytes(3, deleted ? null : new byte[] {0, 0, (byte) id});
            i.setString(4, deleted ? null : fingerprint);
            i.setString(5, deleted ? "DELETED" : "ACTIVE");
            i.executeUpdate();
        }
    }

    private static List<List<Long>> mailboxes(Connection c) throws SQLException {
        return rows(c, "SELECT identity_id, next_seq, message_count, byte_count FROM mailbox ORDER BY identity_id");
    }

    /** Every row of a query of numbers, each as the list of its columns. */
    private static List<List<Long>> rows(Connection c, String sql) throws SQLException {
        List<List<Long>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<Long> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(r.getLong(i));
                }
                rows.add(List.copyOf(row));
            }
        }
        return rows;
    }
}
