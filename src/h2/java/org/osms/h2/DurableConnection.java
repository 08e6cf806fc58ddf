package org.osms.h2;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection to the embedded database that passes the {@link WriteGate} before its first write and leaves it when
 * its transaction ends, and whose commits run one at a time. See {@link DurableDataSource} for why.
 *
 * <p>Writes are recognised on the statements this connection hands out ({@link SqlWrites}): a prepared statement by
 * the text it was prepared with, a plain statement by the text of each execution or batch. In auto-commit mode a
 * write commits itself, so the connection leaves the gate as soon as the statement returns. Updatable result sets
 * are not watched: nothing in OSMS writes through one.
 */
final class DurableConnection implements InvocationHandler {
    /** What an aborted connection still answers; anything else fails as on a closed connection. */
    private static final Set<String> AFTER_ABORT = Set.of("close", "abort", "isClosed", "isValid", "unwrap",
            "isWrapperFor", "equals", "hashCode", "toString");
    private final Connection target;
    private final WriteGate gate;
    private final ReentrantLock commits;
    private Connection proxy;
    private volatile boolean autoCommit;
    private volatile boolean aborted;

    private DurableConnection(Connection target, WriteGate gate, ReentrantLock commits) throws SQLException {
        this.target = target;
        this.gate = gate;
        this.commits = commits;
        this.autoCommit = target.getAutoCommit();
    }

    static Connection wrap(Connection target, WriteGate gate, ReentrantLock commits) throws SQLException {
        DurableConnection handler = new DurableConnection(target, gate, commits);
        handler.proxy = (Connection) Proxy.newProxyInstance(DurableConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
        return handler.proxy;
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        if (aborted && !AFTER_ABORT.contains(method.getName())) {
            throw new SQLNonTransientConnectionException("The connection was aborted", "08003");
        }
        switch (method.getName()) {
            case "createStatement":
                return statement(Statement.class, invokeOnTarget(method, args), null);
            case "prepareStatement":
                return statement(PreparedStatement.class, invokeOnTarget(method, args), (String) args[0]);
            case "prepareCall":
                return statement(CallableStatement.class, invokeOnTarget(method, args), (String) args[0]);
            case "commit":
                return endingTheTransaction(() -> whileHoldingTheCommitLock(method, args));
            case "rollback":
                if (args == null || args.length == 0) {
                    try {
                        return invokeOnTarget(method, args);
                    } finally {
                        gate.leave(this);
                    }
                }
                return invokeOnTarget(method, args);
            case "setAutoCommit":
                boolean on = (Boolean) args[0];
                Object result = on && !autoCommit
                        ? endingTheTransaction(() -> whileHoldingTheCommitLock(method, args))
                        : invokeOnTarget(method, args);
                autoCommit = on;
                return result;
            case "close":
                try {
                    return invokeOnTarget(method, args);
                } finally {
                    gate.leave(this);
                }
            case "abort":
                abort((Executor) args[0]);
                return null;
            case "isClosed":
                return aborted || (Boolean) invokeOnTarget(method, args);
            case "isValid":
                return !aborted && (Boolean) invokeOnTarget(method, args);
            default:
                Object own = WrapperMethods.answer(self, target, "durable", method, args);
                return own != WrapperMethods.NOT_OWN ? own : invokeOnTarget(method, args);
        }
    }

    /**
     * H2's own {@code abort} does nothing, which would leave the session open with its transaction: its uncommitted
     * changes, its row locks and, here, the write gate. Liberty aborts a connection in use for longer than
     * {@code maxInUseTime} (db-h2.xml), so this closes it instead, on the executor given (a close waits for a
     * statement still running on the session), and leaves the gate only once H2 has rolled the transaction back.
     */
    private void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("abort needs an executor");
        }
        if (aborted) {
            return;
        }
        aborted = true;
        executor.execute(() -> {
            try {
                target.close();
            } catch (SQLException e) {
                // the session is gone either way
            } finally {
                gate.leave(this);
            }
        });
    }

    /** Before a statement that writes: waits for the gate unless this connection's transaction holds it. */
    void beforeWrite() throws SQLException {
        gate.enter(this);
    }

    /** After a statement that wrote: in auto-commit mode it committed itself, so the gate is free again. */
    void afterWrite() {
        if (autoCommit) {
            gate.leave(this);
        }
    }

    private interface Call {
        Object run() throws Throwable;
    }

    /** Leaves the gate once the transaction has ended; a commit that failed leaves the transaction open. */
    private Object endingTheTransaction(Call call) throws Throwable {
        Object result = call.run();
        gate.leave(this);
        return result;
    }

    private Object whileHoldingTheCommitLock(Method method, Object[] args) throws Throwable {
        commits.lock();
        try {
            return invokeOnTarget(method, args);
        } finally {
            commits.unlock();
        }
    }

    private Object invokeOnTarget(Method method, Object[] args) throws Throwable {
        return WrapperMethods.call(target, method, args);
    }

    private <T extends Statement> T statement(Class<T> type, Object statement, String sql) {
        return type.cast(Proxy.newProxyInstance(DurableConnection.class.getClassLoader(), new Class<?>[] {type},
                new GatedStatement((Statement) statement, this, proxy, sql)));
    }
}
