package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransientException;
import org.junit.jupiter.api.Test;

class TransientFailuresTest {
    /** As a failure reaches a command: the container's and JPA's wrappers around the driver's exception. */
    private static RuntimeException wrapped(Throwable driver) {
        return new jakarta.ejb.EJBException(new PersistenceException("Exception [EclipseLink-4002]", driver));
    }

    @Test
    void lockTimeoutsRollbacksAndLostConnectionsAreTransientWhereverTheyAreWrapped() {
        for (String state : new String[] {"HYT00", "55P03", "57014", "57P01", "40001", "40P01", "08003", "08006"}) {
            assertTrue(TransientFailures.isTransient(wrapped(new SQLException("busy", state))), state);
            assertEquals("SQLState " + state, TransientFailures.describe(wrapped(new SQLException("x", state))));
        }
        assertTrue(TransientFailures.isTransient(new LockTimeoutException("waited")));
        assertTrue(TransientFailures.isTransient(wrapped(new SQLTransientException("gate"))));
        assertEquals("SQLTransientException", TransientFailures.describe(wrapped(new SQLTransientException("gate"))));
        SQLException batch = new SQLException("batch failed", "22000");
        batch.setNextException(new SQLException("deadlock", "40P01"));
        assertTrue(TransientFailures.isTransient(wrapped(batch)), "a transient failure behind the first of a batch");
    }

    @Test
    void whatTheRequestOrTheCodeDidWrongIsNot() {
        assertFalse(TransientFailures.isTransient(wrapped(new SQLIntegrityConstraintViolationException("taken",
                "23505"))));
        assertFalse(TransientFailures.isTransient(wrapped(new SQLException("syntax", "42601"))));
        assertFalse(TransientFailures.isTransient(wrapped(new SQLException("no state"))));
        assertFalse(TransientFailures.isTransient(new NullPointerException()));
        assertFalse(TransientFailures.isTransient(null));
        assertFalse(TransientFailures.isTransient(wrapped(new SQLException("four", "4000"))), "not a SQLState");
        assertEquals("none", TransientFailures.describe(new IllegalStateException("a bug")));
    }

    /**
     * At the commit, only a refusal the database announced (a lock waited for too long, a rollback of class 40) says
     * that nothing was done; a lost or cut connection, alone or beside it, or a failure with no SQLState at all,
     * leaves the outcome unknown.
     */
    @Test
    void onlyARefusalTheDatabaseAnnouncedIsACertainRollback() {
        for (String state : new String[] {"40001", "40P01", "55P03", "HYT00"}) {
            assertTrue(TransientFailures.certainlyRolledBack(wrapped(new SQLException("x", state))), state);
        }
        assertTrue(TransientFailures.certainlyRolledBack(new LockTimeoutException("waited")));
        for (String state : new String[] {"08006", "08003", "57P01", "57014", "23505", "42601", "40003"}) {
            assertFalse(TransientFailures.certainlyRolledBack(wrapped(new SQLException("x", state))), state);
        }
        SQLException lost = new SQLException("rolled back", "40001");
        lost.setNextException(new SQLException("connection lost", "08006"));
        assertFalse(TransientFailures.certainlyRolledBack(wrapped(lost)), "a lost connection could hide a commit");
        SQLException terminated = new SQLException("terminating connection", "57P01", new SQLException("x", "55P03"));
        assertFalse(TransientFailures.certainlyRolledBack(wrapped(terminated)));
        assertFalse(TransientFailures.certainlyRolledBack(wrapped(new SQLTransientException("no state"))));
        assertFalse(TransientFailures.certainlyRolledBack(new jakarta.ejb.EJBException("commit failed")));
        assertFalse(TransientFailures.certainlyRolledBack(null));
    }

    @Test
    void aCycleOfCausesEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertFalse(TransientFailures.isTransient(a));
    }
}
