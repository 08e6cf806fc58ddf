package org.osms.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DurableConnection} against a real (in-memory) H2: one writing transaction at a time, readers never wait, and
 * every way a transaction ends opens the gate for the next writer.
 */
class DurableConnectionTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    /** Long enough that a writer let through by mistake would be seen within it. */
    private static final long BLOCKED_MILLIS = 300;

    private String url;
    private Connection keeper;
    private WriteGate gate;
    private final ReentrantLock commits = new ReentrantLock(true);

    @BeforeEach
    void database() throws SQLException {
        url = "jdbc:h2:mem:durable-" + DATABASES.incrementAndGet() + ";LOCK_TIMEOUT=10000";
        keeper = DriverManager.getConnection(url, "sa", "");
        try (Statement s = keeper.createStatement()) {
            s.execute("CREATE TABLE a(x INT)");
            s.execute("CREATE TABLE b(x INT)");
        }
        gate = new WriteGate(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws SQLException {
        keeper.close();
    }

    private Connection open(boolean autoCommit) throws SQLException {
        Connection c = DurableConnection.wrap(DriverManager.getConnection(url, "sa", ""), gate, commits);
        c.setAutoCommit(autoCommit);
        return c;
    }

    private static void insert(Connection c, String table, int x) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO " + table + " VALUES (?)")) {
            p.setInt(1, x);
            assertEquals(1, p.executeUpdate());
        }
    }

    private List<Integer> committed(String table) throws SQLException {
        try (Statement s = keeper.createStatement(); ResultSet r = s.executeQuery("SELECT x FROM " + table
                + " ORDER BY x")) {
            java.util.ArrayList<Integer> xs = new java.util.ArrayList<>();
            while (r.next()) {
                xs.add(r.getInt(1));
            }
            return xs;
        }
    }

    private static void assertStillWaiting(CompletableFuture<?> writer) throws Exception {
        assertThrows(TimeoutException.class, () -> writer.get(BLOCKED_MILLIS, TimeUnit.MILLISECONDS),
                "the second writer waits for the first transaction to end");
    }

    /**
     * H2 quotes the values a broken constraint or a bad value concerns in its message; whoever logs the exception
     * (EclipseLink, at WARNING) would log a username. The connection's statements leave them out, and keep what
     * decides how a failure is answered: the exception's class, SQLState and error code.
     */
    @Test
    void constraintAndValueErrorsKeepTheirStateButNotTheValues() throws SQLException {
        try (Statement s = keeper.createStatement()) {
            s.execute("CREATE TABLE claim(name VARCHAR(8) PRIMARY KEY)");
            s.execute("INSERT INTO claim VALUES ('alice')");
        }
        try (Connection c = open(true); PreparedStatement p = c.prepareStatement("INSERT INTO claim VALUES (?)")) {
            p.setString(1, "alice");
            SQLException taken = assertThrows(SQLException.class, p::executeUpdate);
            assertTrue(taken instanceof java.sql.SQLIntegrityConstraintViolationException, taken.toString());
            assertEquals("23505", taken.getSQLState());
            assertEquals(23505, taken.getErrorCode());
            assertFalse(taken.getMessage().contains("alice"), taken.getMessage());
            assertEquals("Integrity constraint violation (H2's message left out: it quotes values) [23505-23505]",
                    taken.getMessage());

            p.setString(1, "aliceeleven");
            SQLException tooLong = assertThrows(SQLException.class, p::executeUpdate);
            assertTrue(tooLong instanceof java.sql.SQLDataException, tooLong.toString());
            assertEquals("22001", tooLong.getSQLState());
            assertFalse(tooLong.getMessage().contains("aliceeleven"), tooLong.getMessage());

            try (PreparedStatement number = c.prepareStatement("SELECT CAST(? AS INT)")) {
                number.setString(1, "alice");
                SQLException conversion = assertThrows(SQLException.class, number::executeQuery);
                assertEquals("22018", conversion.getSQLState(), "a message without a colon before the value");
                assertFalse(conversion.getMessage().contains("alice"), conversion.getMessage());
            }

            try (Statement plain = c.createStatement()) {
                SQLException literal = assertThrows(SQLException.class,
                        () -> plain.executeUpdate("INSERT INTO claim VALUES ('alice')"));
                assertEquals("23505", literal.getSQLState());
                assertFalse(literal.getMessage().contains("alice"), literal.getMessage());
                SQLException syntax = assertThrows(SQLException.class, () -> plain.executeQuery("SELEKT 1"));
                assertEquals("42001", syntax.getSQLState(), "other errors are H2's own");
                assertTrue(syntax.getMessage().contains("SELEKT"), syntax.getMessage());
            }
        }
    }

    /** A second transaction's first write, on another table (no row lock in common), waits for the commit. */
    @Test
    void aSecondWriterWaitsUntilTheFirstTransactionCommits() throws Exception {
        try (Connection first = open(false); Connection second = open(false)) {
            insert(first, "a", 1);
            CompletableFuture<Void> writer = async(() -> {
                insert(second, "b", 2);
                second.commit();
            });
            assertStillWaiting(writer);
            assertEquals(List.of(), committed("b"), "nothing of the second transaction is written meanwhile");

            first.commit();
            writer.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(1), committed("a"));
            assertEquals(List.of(2), committed("b"));
        }
    }

    @Test
    void readersDoNotWaitForAWriter() throws Exception {
        try (Connection writer = open(false); Connection reader = open(false)) {
            insert(writer, "a", 1);
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try (PreparedStatement p = reader.prepareStatement("SELECT COUNT(*) FROM a");
                        ResultSet r = p.executeQuery()) {
                    r.next();
                    int count = r.getInt(1);
                    reader.commit();
                    return count;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(0, read.get(5, TimeUnit.SECONDS), "the reader sees only committed rows, without waiting");
            assertTrue(gate.holds(handlerOf(writer)), "the writer still holds the gate");
            writer.rollback();
        }
    }

    @Test
    void aRollbackACloseAnAbortAndAutoCommitEachOpenTheGate() throws Exception {
        for (String end : List.of("rollback", "close", "abort", "setAutoCommit")) {
            Connection first = open(false);
            Connection second = open(false);
            insert(first, "a", 1);
            int firstSession = sessionId(first);
            assertEquals(1, sessions(firstSession));
            CompletableFuture<Void> writer = async(() -> {
                insert(second, "b", 1);
                second.rollback();
            });
            assertStillWaiting(writer);
            switch (end) {
                case "rollback" -> first.rollback();
                case "close" -> first.close();
                case "abort" -> first.abort(Runnable::run);
                default -> first.setAutoCommit(true);
            }
            writer.get(10, TimeUnit.SECONDS);
            assertEquals("setAutoCommit".equals(end) ? List.of(1) : List.of(), committed("a"), end);
            if ("abort".equals(end)) {
                assertTrue(first.isClosed(), "an aborted connection is closed");
                assertFalse(first.isValid(1), "and not valid");
                assertThrows(SQLException.class, () -> insert(first, "a", 3), "an aborted connection is unusable");
                assertEquals(0, sessions(firstSession), "H2's session is closed, its transaction rolled back");
            }
            first.close();
            second.close();
        }
    }

    /** Liberty may end a transaction on another thread (a timeout, the pool's clean-up). */
    @Test
    void anotherThreadMayEndTheTransactionThatHoldsTheGate() throws Exception {
        try (Connection first = open(false); Connection second = open(false)) {
            insert(first, "a", 1);
            async(() -> {
                first.rollback();
            }).get(5, TimeUnit.SECONDS);
            insert(second, "b", 2); // on this thread: would wait 10 s and fail if the gate were still held
            second.commit();
            assertEquals(List.of(2), committed("b"));
        }
    }

    @Test
    void aWriteInAutoCommitModeOpensTheGateWhenItReturns() throws Exception {
        try (Connection auto = open(true); Connection other = open(false)) {
            try (Statement s = auto.createStatement()) {
                assertEquals(1, s.executeUpdate("INSERT INTO a VALUES (1)"));
            }
            insert(other, "b", 2);
            other.commit();
            assertEquals(List.of(1), committed("a"));
            assertEquals(List.of(2), committed("b"));
        }
    }

    /** A transaction suspended for a nested one on the same thread (REQUIRES_NEW) must not wait for itself. */
    @Test
    void theThreadHoldingTheGateMayWriteOnAnotherConnection() throws Exception {
        try (Connection outer = open(false); Connection nested = open(false)) {
            insert(outer, "a", 1);
            insert(nested, "b", 2);
            nested.commit();
            outer.commit();
            assertEquals(List.of(1), committed("a"));
            assertEquals(List.of(2), committed("b"));
        }
    }

    @Test
    void aWriterThatCannotPassInTimeFailsWithALockTimeoutAndWritesNothing() throws Exception {
        gate = new WriteGate(200, TimeUnit.MILLISECONDS);
        try (Connection first = open(false); Connection second = open(false)) {
            insert(first, "a", 1);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> async(() -> insert(second, "b", 2)).get(5, TimeUnit.SECONDS));
            SQLTransientException timeout = (SQLTransientException) e.getCause().getCause();
            assertEquals("HYT00", timeout.getSQLState());
            second.commit();
            first.commit();
            assertEquals(List.of(), committed("b"));
            assertEquals(List.of(1), committed("a"));
        }
    }

    @Test
    void aPlainStatementIsJudgedByEachTextAndABatchByAllOfThem() throws Exception {
        try (Connection first = open(false); Connection second = open(false)) {
            try (Statement s = first.createStatement()) {
                assertTrue(s.executeQuery("SELECT COUNT(*) FROM a").next());
                assertFalse(gate.holds(handlerOf(first)), "a query leaves the gate alone");
                s.addBatch("INSERT INTO a VALUES (1)");
                s.executeBatch();
                assertTrue(gate.holds(handlerOf(first)), "a batch with a write passes the gate");
                assertSame(first, s.getConnection(), "the statement names the wrapped connection");
            }
            CompletableFuture<Void> writer = async(() -> {
                try (Statement s = second.createStatement()) {
                    s.execute("UPDATE b SET x = 0");
                }
            });
            assertStillWaiting(writer);
            first.commit();
            writer.get(10, TimeUnit.SECONDS);
            second.commit();
        }
    }

    private static int sessionId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT SESSION_ID()")) {
            r.next();
            return r.getInt(1);
        }
    }

    private int sessions(int id) throws SQLException {
        try (PreparedStatement p = keeper.prepareStatement(
                "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = ?")) {
            p.setInt(1, id);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private interface Sql {
        void run() throws SQLException;
    }

    /** Runs on another thread; a failure comes back as the future's cause's cause. */
    private static CompletableFuture<Void> async(Sql sql) {
        return CompletableFuture.runAsync(() -> {
            try {
                sql.run();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The handler the gate knows a wrapped connection by. */
    private static Object handlerOf(Connection proxy) {
        return java.lang.reflect.Proxy.getInvocationHandler(proxy);
    }
}
