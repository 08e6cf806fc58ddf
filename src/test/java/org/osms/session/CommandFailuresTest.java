package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.ejb.EJBException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osms.persistence.CommitPoint;
import org.osms.protocol.JsonDocuments;

/**
 * How a command's failure is answered, by where in its transaction it failed: the rule that keeps {@code busy} ("send
 * it again") from being said of a command that may have been done (docs/protocol.md, "Errors inside the channel").
 */
class CommandFailuresTest {
    private static RuntimeException failure(String sqlState) {
        return new EJBException(new PersistenceException("Exception [EclipseLink-4002]",
                new SQLException("from the driver", sqlState)));
    }

    private static CommitPoint at(boolean reached, boolean committed) {
        CommitPoint point = new CommitPoint();
        if (reached) {
            point.reach();
        }
        if (committed) {
            point.committed();
        }
        return point;
    }

    private static JsonObject answer(RuntimeException e, CommitPoint point) {
        JsonObjectBuilder reply = JsonDocuments.JSON.createObjectBuilder().add("seq", 7);
        Commands.answerFailure(e, point, reply);
        return reply.build();
    }

    @Test
    void aLockOrRollbackBeforeTheWorkWasOverIsBusy() {
        for (String state : new String[] {"40001", "40P01", "55P03", "HYT00", "57014", "08006"}) {
            JsonObject reply = answer(failure(state), at(false, false));
            assertEquals("busy", reply.getString("error"), state);
            assertEquals(false, reply.getBoolean("ok"));
            assertEquals(Set.of("seq", "ok", "error", "message"), reply.keySet());
        }
    }

    @Test
    void aConnectionLostDuringTheCommitIsAnUnknownOutcome() {
        for (String state : new String[] {"08006", "08003", "57P01", "57014", "23505"}) {
            JsonObject reply = answer(failure(state), at(true, false));
            assertEquals("unknown_outcome", reply.getString("error"), state);
            assertEquals(false, reply.getBoolean("ok"));
            assertEquals(7, reply.getInt("seq"));
        }
        assertEquals("unknown_outcome", answer(new IllegalStateException("no SQLState"), at(true, false))
                .getString("error"), "whatever failed at the commit, unless the database announced a rollback");
    }

    @Test
    void aRollbackTheDatabaseAnnouncedAtTheCommitIsStillBusy() {
        for (String state : new String[] {"40001", "40P01", "55P03", "HYT00"}) {
            assertEquals("busy", answer(failure(state), at(true, false)).getString("error"), state);
        }
    }

    @Test
    void aFailureAfterTheCommitOrNotTheDatabasesIsThrown() {
        RuntimeException lost = failure("08006");
        assertSame(lost, assertThrows(RuntimeException.class, () -> answer(lost, at(true, true))),
                "after the commit nothing can be undone: a defect, not an answer");
        RuntimeException refused = failure("40001");
        assertSame(refused, assertThrows(RuntimeException.class, () -> answer(refused, at(true, true))));
        RuntimeException constraint = failure("23505");
        assertSame(constraint, assertThrows(RuntimeException.class, () -> answer(constraint, at(false, false))),
                "a constraint broken before the commit is a defect of the code");
        RuntimeException bug = new NullPointerException();
        assertSame(bug, assertThrows(RuntimeException.class, () -> answer(bug, at(false, false))));
    }
}
