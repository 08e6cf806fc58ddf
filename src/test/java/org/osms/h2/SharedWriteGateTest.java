package org.osms.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
 * through its writes when H2 stores the file.
 */
class SharedWriteGateTest {
    @Test
    void aWriterOfOneDataSourceWaitsForTheOtherDataSourcesWritingTransaction() throws Exception {
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
                assertThrows(TimeoutException.class, () -> writer.get(300, TimeUnit.MILLISECONDS),
                        "the application's writer waits for the owner's transaction");
                assertEquals(0, count(keeper, "b"));
                first.commit();
                assertEquals(1, writer.get(10, TimeUnit.SECONDS));
                assertEquals(1, count(keeper, "a"));
                assertEquals(1, count(keeper, "b"));
            }
        }
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
