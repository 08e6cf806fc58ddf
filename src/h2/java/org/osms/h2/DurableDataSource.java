package org.osms.h2;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The embedded database's data source: H2's (which it wraps, H2's class is final), made to keep every commit when the
 * server process is killed. Measured with plain JDBC, eight writers appending to a chain as the audit log does
 * (lock the head row, insert the next entry, advance the head, commit) and SIGKILL at a random moment:
 *
 * <ul>
 * <li>H2 2.5.252 with {@code SET WRITE_DELAY 0} at run time, as the server did: 4 kills in 25 left a file that
 * reopened with nothing written after the switch, and others left gaps (entry n+1 without entry n).
 * <li>H2 2.5.252 with the delay taken at open: 2 kills in 30 left gaps; with commits one at a time as well, 2 in 40
 * still left the head row behind entries that were kept. So the build pins H2 2.3.232 (pom.xml).
 * <li>H2 2.3.232 with the delay taken at open and commits one at a time: no damage in 40 kills, nor in 60 more through
 * this class ({@code DurableDataSourceTest}) on an idle machine. On a busy one (two such children at once, or a build
 * beside it) the same test failed 5 rounds in 350: the head row behind entries that were kept (head 533, entries up
 * to 544), or a table counting one row more than its highest key. Our reading, not proved: a store of the file made
 * while another transaction was half-way through its writes comes back after the kill partly undone.
 * <li>The same, with one writing transaction at a time (below): no damage in 550 kills on the busy machine.
 * </ul>
 *
 * <p>What this class does:
 * <ol>
 * <li><b>{@code WRITE_DELAY 0} from the moment the database opens.</b> H2 takes its write delay when it opens the
 * database, from the opening connection's URL (500 ms by default, whatever was stored), and the database closes with
 * its last connection, so a pool that idled out would reopen it with the default. The first connection this class
 * makes, whichever account asks, is a keeper that opens the database with {@code WRITE_DELAY=0} in its URL and stays
 * open as long as the process. H2 also runs the URL's {@code SET WRITE_DELAY} for the keeper's session, which needs
 * admin rights; {@code IGNORE_UNKNOWN_SETTINGS} lets an unprivileged account open it anyway (H2 notes the refused
 * {@code SET} in its own trace file), since the delay was taken at open. The keeper reads the setting back and refuses
 * every connection unless it is 0 (for instance when another process had the database open).
 * <li><b>One writing transaction at a time.</b> Every connection handed out is a {@link DurableConnection}: before its
 * first write it passes a {@link WriteGate} that one transaction holds at a time, and it leaves the gate when the
 * transaction ends. H2 stores the file from inside a commit (and from a write once enough is unsaved), so each store
 * now sees no other transaction's changes half made. Reads never wait; writes already queued behind H2's single store
 * lock and, in OSMS, mostly behind the same row locks (the audit log's head, the identity being changed). A write
 * waits at most 30 s for the gate, as long as {@code LOCK_TIMEOUT} in db-h2.xml lets it wait for a row.
 * <li><b>Commits one at a time</b>, under one fair lock, kept for the transaction that may pass the gate while its own
 * thread holds it (a nested {@code REQUIRES_NEW}).
 * </ol>
 * Both data sources (the application's and the owner's) load this class from the same library, so they share the gate
 * and the lock.
 *
 * <p>Loaded by Liberty's JDBC library ({@code osms-h2.jar} beside H2's jar), never by the application.
 */
public class DurableDataSource implements DataSource {
    private static final ReentrantLock COMMITS = new ReentrantLock(true);
    /**
     * One writing transaction at a time; waits as long as db-h2.xml's LOCK_TIMEOUT lets a row lock wait (20 s): less
     * than the pool's maxInUseTime (30 s), so that a wait ends with its own timeout, which OSMS answers busy, before the
     * pool could abort the connection under it.
     */
    private static final WriteGate WRITES = new WriteGate(20, TimeUnit.SECONDS);
    private static final Object KEEPER_LOCK = new Object();
    private static Connection keeper;
    private static String keeperUrl;

    private final JdbcDataSource h2 = new JdbcDataSource();
    private String password = "";

    /** The JDBC URL, as Liberty's {@code <properties URL="...">} sets it. */
    public void setURL(String url) {
        h2.setURL(url);
    }

    public String getURL() {
        return h2.getURL();
    }

    public void setUser(String user) {
        h2.setUser(user);
    }

    public String getUser() {
        return h2.getUser();
    }

    public void setPassword(String password) {
        this.password = password == null ? "" : password;
        h2.setPassword(password);
    }

    public void setDescription(String description) {
        h2.setDescription(description);
    }

    public String getDescription() {
        return h2.getDescription();
    }

    @Override
    public Connection getConnection() throws SQLException {
        keepOpen(h2.getUser(), password);
        return durable(h2.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        keepOpen(user, password);
        return durable(h2.getConnection(user, password));
    }

    /** Opens the database once per process with WRITE_DELAY 0 and keeps it open; see the class comment. */
    private void keepOpen(String user, String password) throws SQLException {
        String url = h2.getURL();
        synchronized (KEEPER_LOCK) {
            if (keeper != null && !keeper.isClosed()) {
                if (!url.equals(keeperUrl)) {
                    throw new SQLException("This process already keeps " + keeperUrl + " open; one embedded"
                            + " database per server.");
                }
                return;
            }
            JdbcDataSource opener = new JdbcDataSource();
            opener.setURL(url + ";WRITE_DELAY=0;IGNORE_UNKNOWN_SETTINGS=TRUE");
            Connection c = opener.getConnection(user, password);
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT SETTING_VALUE FROM"
                    + " INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
                String delay = r.next() ? r.getString(1) : null;
                if (!"0".equals(delay)) {
                    c.close();
                    throw new SQLException("The embedded database was opened with WRITE_DELAY " + delay
                            + " (by another process?): commits would be acknowledged before they reach the file.");
                }
            }
            keeper = c;
            keeperUrl = url;
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return h2.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        h2.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) {
        h2.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return h2.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return h2.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    /** A connection that writes only while no other transaction does, and commits one at a time. */
    static Connection durable(Connection connection) throws SQLException {
        return DurableConnection.wrap(connection, WRITES, COMMITS);
    }
}
