package org.osms.h2;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
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
 * <li>H2 2.3.232 with the delay taken at open, commits concurrent or one at a time: no damage in 40 kills each, nor in
 * 60 more through this class ({@code DurableDataSourceTest}).
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
 * <li><b>Commits one at a time.</b> A transaction waiting for a row lock can go on while the holder is still rewriting
 * its changes as committed, and a store of the file in that moment is what left gaps above; with commits serialised a
 * commit starts only once the previous one has returned, its file write done. Every connection handed out is a proxy
 * whose {@code commit()} (and {@code setAutoCommit(true)}, which commits an open transaction) runs under one fair lock
 * for the process; both data sources (the application's and the owner's) load this class from the same library, so
 * they share it. H2 already writes the file under one lock, so this costs little. Statements in auto-commit mode are
 * not serialised: the application writes only inside transactions, and the start-up migrations run before traffic.
 * </ol>
 *
 * <p>Loaded by Liberty's JDBC library ({@code osms-h2.jar} beside H2's jar), never by the application.
 */
public class DurableDataSource implements DataSource {
    private static final ReentrantLock COMMITS = new ReentrantLock(true);
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
        return serialCommits(h2.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        keepOpen(user, password);
        return serialCommits(h2.getConnection(user, password));
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

    /** A connection whose commits wait for every other commit on the database to finish. */
    static Connection serialCommits(Connection connection) {
        return (Connection) Proxy.newProxyInstance(DurableDataSource.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new SerialCommits(connection));
    }

    private record SerialCommits(Connection target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "commit":
                    return whileHoldingTheCommitLock(method, args);
                case "setAutoCommit":
                    return Boolean.TRUE.equals(args[0]) ? whileHoldingTheCommitLock(method, args)
                            : invokeOnTarget(method, args);
                case "unwrap":
                    return ((Class<?>) args[0]).isInstance(proxy) ? proxy : invokeOnTarget(method, args);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(proxy) || (Boolean) invokeOnTarget(method, args);
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "serial commits on " + target;
                default:
                    return invokeOnTarget(method, args);
            }
        }

        private Object whileHoldingTheCommitLock(Method method, Object[] args) throws Throwable {
            COMMITS.lock();
            try {
                return invokeOnTarget(method, args);
            } finally {
                COMMITS.unlock();
            }
        }

        private Object invokeOnTarget(Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
