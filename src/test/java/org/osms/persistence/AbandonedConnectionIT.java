package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.it.Deployments;
import org.osms.it.PoolContents;

/**
 * The pool of {@code jdbc/osms} takes back a connection that nobody returns, and the database session behind it is
 * closed. Liberty's pool loses a connection now and then under concurrent load (docs/performance.md, "Connections the
 * pool does not get back"): it stays in use with no handle open, held by no request. That cannot be provoked on
 * demand, so this test abandons one itself, open and never closed, which the pool sees the same way. Without the
 * bound ({@code maxInUseTime}, db-h2.xml and db-postgresql.xml) every lost connection lowers the pool's ceiling until
 * a restart, and a client sending lookups fast enough could drain it for everyone.
 *
 * <p>Liberty looks for such connections once per {@code maxInUseTime} (30 s), so one taken just after a look is
 * aborted at the second look after it: between 30 and 60 s (measured: 93 s with a setting of 60 s).
 */
@ExtendWith(ArquillianExtension.class)
class AbandonedConnectionIT {
    private static final Duration MAX_IN_USE = Duration.ofSeconds(30);

    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-abandoned-connection", AbandonedConnectionIT.class, PoolContents.class);
    }

    @Resource(lookup = "jdbc/osms", shareable = false)
    DataSource dataSource;

    /** The embedded database shows other sessions to its administrator only: the owner account. */
    @Resource(lookup = "jdbc/osmsOwner")
    DataSource owner;

    /**
     * Followed by its database session and by its own entry in the pool, not by the pool's total: other parts of the
     * server (and connections lost by earlier tests' load) may be in use at the same time. A lost connection's handle
     * is closed already; this one's stays open until the abort, since an open handle is what keeps it in use here,
     * and is closed before the pool's entries are read (whether Liberty lets an aborted connection's entry go while a
     * handle is still open was not established: on PostgreSQL the full suite once saw a connection still in use 45 s
     * after the abort, then either this one or another).
     */
    @Test
    void aConnectionNobodyReturnsIsAbortedAndThePoolCountsItFreeAgain() throws Exception {
        Set<String> before = inUse();
        Connection abandoned = dataSource.getConnection();
        long start = System.nanoTime();
        boolean h2 = "H2".equals(abandoned.getMetaData().getDatabaseProductName());
        long session = session(abandoned, h2);
        assertEquals(1, sessionsWithId(session, h2), "the abandoned connection's session is open");
        Set<String> taken = new TreeSet<>(inUse());
        taken.removeAll(before);
        assertFalse(taken.isEmpty(), "the pool counts the abandoned connection in use");

        long deadline = start + MAX_IN_USE.multipliedBy(2).plus(Duration.ofSeconds(15)).toNanos();
        while (sessionsWithId(session, h2) != 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(0, sessionsWithId(session, h2), "the database session behind it is closed in time (no"
                + " transaction, lock or backend left behind): " + took);
        assertTrue(took.compareTo(MAX_IN_USE) >= 0, "not before maxInUseTime: " + took);

        abandoned.close(); // a lost connection's handle is closed already: only the pool still counts it in use
        Set<String> stillInUse = new TreeSet<>(inUse());
        stillInUse.retainAll(taken);
        assertEquals(Set.of(), stillInUse, "the pool no longer counts it in use");
        try (Connection fresh = dataSource.getConnection()) {
            assertEquals(1, selectOne(fresh), "the pool hands out a working connection");
        }
    }

    /** The database's own id of the session behind a connection. */
    private static long session(Connection c, boolean h2) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(h2 ? "SELECT SESSION_ID()" : "SELECT pg_backend_pid()");
                ResultSet r = p.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    private long sessionsWithId(long id, boolean h2) throws SQLException {
        try (Connection c = h2 ? owner.getConnection() : dataSource.getConnection();
                PreparedStatement p = c.prepareStatement(h2
                        ? "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = ?"
                        : "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?")) {
            p.setLong(1, id);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static int selectOne(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1"); ResultSet r = p.executeQuery()) {
            r.next();
            return r.getInt(1);
        }
    }

    private static Set<String> inUse() throws Exception {
        return PoolContents.inUse();
    }
}
