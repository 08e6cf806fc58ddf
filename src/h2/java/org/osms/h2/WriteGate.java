package org.osms.h2;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Lets one writing transaction at a time into the embedded database: a connection passes the gate before its first
 * write and leaves it when its transaction ends (commit, rollback, close, abort), whichever thread ends it. Every
 * write H2 stores to its file is then made while no other transaction has uncommitted changes, which is what a SIGKILL
 * needs (see {@link DurableDataSource}).
 *
 * <p>The thread that holds the gate may pass it again with another connection (a transaction suspended for a nested
 * one, as {@code REQUIRES_NEW} does on the same thread): waiting would deadlock on itself. A connection that cannot
 * pass within the timeout gets an {@link SQLTransientException}, SQLState {@code HYT00} as H2's own lock timeout, so a
 * writer that never ends its transaction delays the others by at most that long each.
 */
final class WriteGate {
    /** H2's SQLState for a lock timeout. */
    static final String TIMEOUT_STATE = "HYT00";

    private final long timeoutNanos;
    private final Map<Object, Boolean> holders = new IdentityHashMap<>();
    private Thread owner;

    WriteGate(long timeout, TimeUnit unit) {
        this.timeoutNanos = unit.toNanos(timeout);
    }

    /** Passes the gate for this connection; returns at once if it already holds it. */
    synchronized void enter(Object connection) throws SQLException {
        if (holders.containsKey(connection)) {
            return;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (!holders.isEmpty() && owner != Thread.currentThread()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SQLTransientException("Timeout waiting for another transaction to finish writing to the"
                        + " embedded database", TIMEOUT_STATE);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLTransientException("Interrupted while waiting to write to the embedded database",
                        TIMEOUT_STATE, e);
            }
        }
        holders.put(connection, Boolean.TRUE);
        owner = Thread.currentThread();
    }

    /** Leaves the gate if this connection holds it; any thread may call this. */
    synchronized void leave(Object connection) {
        if (holders.remove(connection) != null && holders.isEmpty()) {
            owner = null;
            notifyAll();
        }
    }

    synchronized boolean holds(Object connection) {
        return holders.containsKey(connection);
    }
}
