package org.osms.h2;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * H2's data source (which it wraps: H2's class is final) with one change: commits on the embedded database happen one at a time.
 *
 * <p>Why. H2's MVStore lets a transaction that waited for a row lock go on as soon as the holder starts to commit,
 * before the holder has finished rewriting its changes as committed; a store of the file made by the waiter's own
 * commit in that moment can capture the holder's rows still marked uncommitted while the holder's undo log is
 * already empty. If the process is killed before the holder's own store, H2 recovers the holder's rows as rolled
 * back and keeps the waiter's, which were built on them: the audit chain then holds entry n+1 without entry n, and
 * a mailbox counts a message that is not there. Measured with plain JDBC (eight writers appending to a chain,
 * SIGKILL after two to five seconds): 5 of 30 kills left a broken chain; with commits one at a time, none of 20.
 *
 * <p>How. Every connection handed out is a proxy whose {@code commit()} (and {@code setAutoCommit(true)}, which
 * commits an open transaction) runs under one fair lock for the process: one database per server, both data
 * sources (the application's and the owner's) load this class from the same library, so they share the lock. H2
 * writes the file at the end of each commit ({@code WRITE_DELAY 0}, see {@code CommitDurability}), so the lock is
 * held for one write. Statements executed in auto-commit mode are not serialised: the application writes only inside
 * transactions, and the owner's start-up migrations run before any traffic.
 *
 * <p>Loaded by Liberty's JDBC library (the {@code osms-h2.jar} beside H2's jar), never by the application.
 */
public class SerialCommitDataSource implements DataSource {
    private static final ReentrantLock COMMITS = new ReentrantLock(true);

    private final JdbcDataSource h2 = new JdbcDataSource();

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
        return serialCommits(h2.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return serialCommits(h2.getConnection(user, password));
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
        return (Connection) Proxy.newProxyInstance(SerialCommitDataSource.class.getClassLoader(),
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
