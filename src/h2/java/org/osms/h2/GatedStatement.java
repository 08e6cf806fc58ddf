package org.osms.h2;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;

/**
 * A statement of a {@link DurableConnection}: passes the connection's write gate before executing a write. A prepared
 * or callable statement is classified once by the text it was prepared with; a plain statement by the text of each
 * execution, or by every text added to its batch.
 */
final class GatedStatement implements InvocationHandler {
    private final Statement target;
    private final DurableConnection connection;
    private final Connection connectionProxy;
    /** Whether the prepared text writes; {@code null} for a plain statement. */
    private final Boolean preparedWrites;
    private boolean batchWrites;

    GatedStatement(Statement target, DurableConnection connection, Connection connectionProxy, String preparedSql) {
        this.target = target;
        this.connection = connection;
        this.connectionProxy = connectionProxy;
        this.preparedWrites = preparedSql == null ? null : SqlWrites.writes(preparedSql);
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        switch (name) {
            case "execute", "executeQuery", "executeUpdate", "executeLargeUpdate":
                boolean withText = args != null && args.length > 0 && args[0] instanceof String;
                return execute(method, args, withText ? SqlWrites.writes((String) args[0])
                        : preparedWrites == null || preparedWrites);
            case "executeBatch", "executeLargeBatch":
                boolean writes = batchWrites || preparedWrites == null || preparedWrites;
                batchWrites = false;
                return execute(method, args, writes);
            case "addBatch":
                if (args != null && args.length == 1 && args[0] instanceof String sql) {
                    batchWrites |= SqlWrites.writes(sql);
                }
                return WrapperMethods.call(target, method, args);
            case "clearBatch":
                batchWrites = false;
                return WrapperMethods.call(target, method, args);
            case "getConnection":
                return connectionProxy;
            default:
                Object own = WrapperMethods.answer(self, target, "gated", method, args);
                return own != WrapperMethods.NOT_OWN ? own : WrapperMethods.call(target, method, args);
        }
    }

    private Object execute(Method method, Object[] args, boolean writes) throws Throwable {
        try {
            if (!writes) {
                return WrapperMethods.call(target, method, args);
            }
            connection.beforeWrite();
            try {
                return WrapperMethods.call(target, method, args);
            } finally {
                connection.afterWrite();
            }
        } catch (SQLException e) {
            throw withoutValues(e);
        }
    }

    /**
     * H2's message for a broken constraint or a bad value quotes the values (a unique index's "VALUES ('alice')", a
     * value that cannot be converted or is too long for its column), and whoever logs the exception (EclipseLink does,
     * at WARNING) would write a username or a fingerprint into the server's logs. PostgreSQL's driver leaves the detail
     * out (db-postgresql.xml, logServerErrorDetail). So such an exception (SQLState class 22 or 23) is replaced by one
     * of the same class, SQLState and error code with a fixed message: none of H2's text, whose wording varies.
     */
    static SQLException withoutValues(SQLException e) {
        String state = e.getSQLState();
        if (state == null || !(state.startsWith("22") || state.startsWith("23"))) {
            return e;
        }
        String words = (state.startsWith("23") ? "Integrity constraint violation" : "Data exception")
                + " (H2's message left out: it quotes values) [" + state + "-" + e.getErrorCode() + "]";
        SQLException clean = e instanceof SQLIntegrityConstraintViolationException
                ? new SQLIntegrityConstraintViolationException(words, state, e.getErrorCode())
                : e instanceof SQLDataException ? new SQLDataException(words, state, e.getErrorCode())
                : new SQLException(words, state, e.getErrorCode());
        clean.setStackTrace(e.getStackTrace());
        return clean;
    }
}
