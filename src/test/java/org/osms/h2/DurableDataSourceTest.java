package org.osms.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.h2.jdbc.JdbcConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database keeps a chain whole across SIGKILL: a process appending to a chain from eight threads through
 * {@link DurableDataSource} is killed at a random moment, and the file it leaves holds every entry from 1 to the head,
 * each pointing at the one before, no more rows than that, and at least the entries committed before the child said
 * it was ready. With H2's
 * own data source and {@code SET WRITE_DELAY 0} at run time, the same load lost everything after about one kill in
 * six, or left a gap (entry n+1 without entry n).
 */
class DurableDataSourceTest {
    private static final int ROUNDS = 20;

    static String url(String directory) {
        return "jdbc:h2:file:" + Path.of(directory, "chain") + ";LOCK_TIMEOUT=30000";
    }

    /**
     * Two writer processes at once, each on its own database, so that each runs on a busy machine: the damage this
     * guards against showed up about once in 70 kills that way and far less often with one process alone.
     */
    @Test
    void aChainAppendedByConcurrentWritersSurvivesSigkillWhole(@TempDir Path dir) throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            List<Path> databases = List.of(dir.resolve("round-" + round + "-a"), dir.resolve("round-" + round + "-b"));
            List<Process> writers = new ArrayList<>();
            try {
                for (Path database : databases) {
                    writers.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-cp", System.getProperty("java.class.path"), ChainWriter.class.getName(),
                            database.toString()).redirectErrorStream(true).start());
                }
                for (Process writer : writers) {
                    BufferedReader out = new BufferedReader(
                            new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
                    assertEquals("ready", out.readLine(), "round " + round + ": the writers started");
                }
                Thread.sleep(ThreadLocalRandom.current().nextLong(200, 1000));
                for (Process writer : writers) {
                    assertTrue(writer.isAlive(), "round " + round + ": the writers are still appending");
                    writer.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
                }
                for (Process writer : writers) {
                    assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
                }
            } finally {
                writers.forEach(Process::destroyForcibly);
            }
            for (Path database : databases) {
                String name = "round " + round + " (" + database.getFileName() + ")";
                long entries = assertChainWhole(database, name);
                assertTrue(entries >= 100, name + ": the entries committed before the kill are there (" + entries
                        + ")");
            }
        }
    }

    /**
     * In this JVM the class keeps one database open for good, as in the server: this is the only test that opens one
     * here. The database exists already and is closed; the first account to ask is an unprivileged one.
     */
    @Test
    void anUnprivilegedFirstConnectionOpensTheDatabaseWithWriteDelayZeroAndCommitsThroughTheWrapper(
            @TempDir Path dir) throws Exception {
        String url = url(dir.toString());
        try (Connection admin = DriverManager.getConnection(url, "sa", "");
                Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE t(x INT)");
            s.execute("CREATE USER app PASSWORD 'app-secret'");
            s.execute("GRANT SELECT, INSERT ON t TO app");
        } // the last connection closes the database

        DurableDataSource dataSource = new DurableDataSource();
        dataSource.setURL(url);
        dataSource.setUser("app");
        dataSource.setPassword("app-secret");
        try (Connection c = dataSource.getConnection()) {
            assertFalse(c instanceof JdbcConnection, "commits go through the wrapper");
            assertSame(c, c.unwrap(Connection.class));
            assertInstanceOf(JdbcConnection.class, c.unwrap(JdbcConnection.class));
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO t VALUES (7)");
            }
            c.commit();
        }
        // the keeper still holds the database open, with the delay it was opened with
        try (Connection admin = DriverManager.getConnection(url, "sa", "");
                Statement s = admin.createStatement()) {
            try (ResultSet r = s.executeQuery(
                    "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
                assertTrue(r.next());
                assertEquals("0", r.getString(1), "opened by the unprivileged account, with WRITE_DELAY 0");
            }
            try (ResultSet r = s.executeQuery("SELECT x FROM t")) {
                assertTrue(r.next());
                assertEquals(7, r.getInt(1), "the commit reached the database");
                assertFalse(r.next());
            }
        }
        DurableDataSource other = new DurableDataSource();
        other.setURL(url(dir.resolve("other").toString()));
        other.setUser("sa");
        SQLException e = assertThrows(SQLException.class, other::getConnection);
        assertTrue(e.getMessage().contains("one embedded database per server"), e.getMessage());
    }

    /** Checks entries 1..head are all there, each pointing at its predecessor; returns how many there are. */
    private static long assertChainWhole(Path database, String round) throws Exception {
        try (Connection c = DriverManager.getConnection(url(database.toString()), "sa", "");
                Statement s = c.createStatement()) {
            long head;
            try (ResultSet r = s.executeQuery("SELECT last_seq FROM head WHERE id = 1")) {
                assertTrue(r.next(), round + ": the head row survived");
                head = r.getLong(1);
            }
            long expected = 1;
            try (ResultSet r = s.executeQuery("SELECT seq, prev_seq FROM entry ORDER BY seq")) {
                while (r.next()) {
                    assertEquals(expected, r.getLong(1), round + ": no entry is missing before " + r.getLong(1));
                    assertEquals(expected - 1, r.getLong(2), round + ": entry " + expected + " points at the one"
                            + " before it");
                    expected++;
                }
            }
            assertEquals(head, expected - 1, round + ": the head names the last entry");
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM entry")) {
                r.next();
                assertEquals(head, r.getLong(1), round + ": the table counts as many rows as the chain has");
            }
            return head;
        }
    }
}
