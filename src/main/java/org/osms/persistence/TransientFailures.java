package org.osms.persistence;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PessimisticLockException;
import jakarta.persistence.QueryTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Whether a failure was the database being busy rather than anything wrong with the request or the code: a lock or a
 * connection that was waited for too long, a transaction the database chose to roll back (a deadlock, a serialization
 * failure), a connection it closed. Its transaction was rolled back, so nothing was done, and the same request may
 * succeed once the load has passed: the caller answers {@code busy}, and a conversation survives it.
 */
public final class TransientFailures {
    /**
     * SQLStates (or their classes, two characters) of transient failures: 40 transaction rollback, 08 connection
     * exception, PostgreSQL's 55P03 lock not available (its lock_timeout) and 57014 query canceled (its
     * statement_timeout, and a connection aborted by the pool), 57P01 admin shutdown, and H2's HYT00 lock timeout.
     */
    private static final Set<String> CLASSES = Set.of("40", "08");
    private static final Set<String> STATES = Set.of("55P03", "57014", "57P01", "HYT00");

    /** SQLState 40003: the one state of class 40 that does not say the transaction rolled back. */
    private static final String STATEMENT_COMPLETION_UNKNOWN = "40003";

    private TransientFailures() {
    }

    /** Whether {@code failure}, or any of its causes, is a transient failure of the database. */
    public static boolean isTransient(Throwable failure) {
        return sqlState(failure) != null || find(failure, TransientFailures::isTransientType) != null;
    }

    /**
     * Whether the database said it rolled {@code failure}'s transaction back: a statement refused for a lock it
     * waited too long for (55P03, HYT00, or JPA's lock exceptions), or a rollback the database chose (SQLState class
     * 40: a deadlock, a serialization failure; not 40003, statement completion unknown); and no connection lost or cut beside it (class 08, 57P01, 57014),
     * which could have hidden a commit. Any other failure at the commit leaves the transaction's outcome unknown
     * ({@link CommitPoint}).
     */
    public static boolean certainlyRolledBack(Throwable failure) {
        boolean refused = find(failure, t -> t instanceof LockTimeoutException || t instanceof PessimisticLockException
                || hasState(t, s -> s.startsWith("40") && !s.equals(STATEMENT_COMPLETION_UNKNOWN)
                        || s.equals("55P03") || s.equals("HYT00"))) != null;
        return refused && find(failure, t -> hasState(t, s -> s.startsWith("08") || s.equals("57P01")
                || s.equals("57014"))) == null;
    }

    private static boolean hasState(Throwable t, Predicate<String> matches) {
        return t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().length() == 5
                && matches.test(s.getSQLState());
    }

    private static boolean isTransientType(Throwable t) {
        return t instanceof LockTimeoutException || t instanceof PessimisticLockException
                || t instanceof QueryTimeoutException || t instanceof SQLTransientException;
    }

    /** What to log of it: the SQLState found, or the class of the transient failure; never a message (values). */
    public static String describe(Throwable failure) {
        String state = sqlState(failure);
        if (state != null) {
            return "SQLState " + state;
        }
        Throwable t = find(failure, TransientFailures::isTransientType);
        return t == null ? "none" : t.getClass().getSimpleName();
    }

    private static String sqlState(Throwable failure) {
        Throwable t = find(failure, c -> c instanceof SQLException s && s.getSQLState() != null
                && (STATES.contains(s.getSQLState()) || s.getSQLState().length() == 5
                        && CLASSES.contains(s.getSQLState().substring(0, 2))));
        return t == null ? null : ((SQLException) t).getSQLState();
    }

    /** The first of {@code failure}'s causes (itself included, each once, next exceptions of SQL too) matching. */
    private static Throwable find(Throwable failure, Predicate<Throwable> matches) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Throwable> todo = new ArrayDeque<>();
        if (failure != null) {
            todo.add(failure);
        }
        while (!todo.isEmpty() && seen.size() < 64) {
            Throwable t = todo.poll();
            if (seen.put(t, Boolean.TRUE) != null) {
                continue;
            }
            if (matches.test(t)) {
                return t;
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            if (t instanceof SQLException s && s.getNextException() != null) {
                todo.add(s.getNextException());
            }
        }
        return null;
    }
}
