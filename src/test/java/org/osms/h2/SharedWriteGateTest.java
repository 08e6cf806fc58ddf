package org.osms.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The server has two data sources on the one embedded database, the application's and the owner's (db-h2.xml), each
 * a {@link DurableDataSource} of its own: they must share one write gate, or a transaction of each could be half-way
 * through its writes when H2 stores the file. Checked in a JVM of its own, as a server is one process with one
 * embedded database: a {@link DurableDataSource} keeps the first database it opens open for the whole process.
 */
class SharedWriteGateTest {
    @Test
    void aWriterOfOneDataSourceWaitsForTheOtherDataSourcesWritingTransaction() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName()).redirectErrorStream(true).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the check ends");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out);
        assertEquals("application's writer waited; both rows committed\n", out);
    }

    /** The check, as {@code main} of a process that opens no other embedded database. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            String url = "jdbc:h2:mem:shared-gate-" + UUID.randomUUID() + ";LOCK_TIMEOUT=10000";
            try (Connection keeper = DriverManager.getConnection(url, "owner", "")) {
                try (Statement s = keeper.createStatement()) {
                    s.execute("CREATE USER app PASSWORD 'app' ADMIN");
                    s.execute("CREATE TABLE a(x INT)");
                    s.execute("CREATE TABLE b(x INT)");
                }
                DurableDataSource owner = dataSource(url, "owner", "");
                DurableDataSource application = dataSource(url, "app", "app");
                try (Connection first = owner.getConnection(); Connection second = application.getConnection()) {
                    first.setAutoCommit(false);
                    second.setAutoCommit(false);
                    first.createStatement().executeUpdate("INSERT INTO a VALUES (1)");
                    CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
                        try {
                            int n = second.createStatement().executeUpdate("INSERT INTO b VALUES (2)");
                            second.commit();
                            return n;
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    try {
                        writer.get(300, TimeUnit.MILLISECONDS);
                        fail("the application's writer did not wait for the owner's transaction");
                    } catch (TimeoutException expected) {
                        // it waits at the gate
                    }
                    if (count(keeper, "b") != 0) {
                        fail("the application's row was committed while the owner's transaction was open");
                    }
                    first.commit();
                    if (writer.get(10, TimeUnit.SECONDS) != 1 || count(keeper, "a") != 1 || count(keeper, "b") != 1) {
                        fail("the rows were not both committed");
                    }
                }
            }
            System.out.println("application's writer waited; both rows committed");
            System.exit(0);
        }

        private static void fail(String why) {
            System.out.println(why);
            System.exit(1);
        }

        private static DurableDataSource dataSource(String url, String user, String password) {
            DurableDataSource d = new DurableDataSource();
            d.setURL(url);
            d.setUser(user);
            d.setPassword(password);
            return d;
        }

        private static int count(Connection c, String table) throws SQLException {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                r.next();
                return r.getInt(1);
            }
        }
    }
}
