package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.osms.CapturedLog;

/** The retention sweep over many mailboxes: one that fails does not stop the rest. */
class RetentionSweepTest {
    @Test
    void aMailboxThatFailsIsLeftAndTheOthersAreStillSwept() {
        List<Long> tried = new ArrayList<>();
        int deleted = Mailboxes.expireEach(List.of(11L, 12L, 13L, 14L), id -> {
            tried.add(id);
            if (id == 12L || id == 13L) {
                throw new IllegalStateException("a lock held past the timeout, say");
            }
            return (int) (id - 10); // 1 message in mailbox 11, 4 in mailbox 14
        });
        assertEquals(List.of(11L, 12L, 13L, 14L), tried, "every mailbox tried once, in the order given");
        assertEquals(5, deleted, "what the mailboxes that could be swept deleted");
    }

    /**
     * The failure is logged once per sweep, by its count and kind only: not the mailbox (an identity's id) and not
     * the exception's message, which can quote values.
     */
    @Test
    void aFailedMailboxIsLoggedByItsKindOnly() {
        List<LogRecord> records;
        try (CapturedLog log = CapturedLog.of(Mailboxes.class)) {
            Mailboxes.expireEach(List.of(4242424242L, 4343434343L), id -> {
                throw new IllegalStateException("value 'alice' refused");
            });
            records = log.records();
        }
        assertEquals(1, records.size(), "one line for the sweep");
        assertEquals(Level.WARNING, records.get(0).getLevel());
        String line = records.get(0).getMessage();
        assertTrue(line.startsWith("2 of 2 mailboxes could not be swept now (the first: "
                + "java.lang.IllegalStateException, "), line);
        assertFalse(line.contains("4242424242") || line.contains("4343434343") || line.contains("alice"), line);
        assertEquals(null, records.get(0).getThrown(), "no stack trace, whose message could quote values");
    }

    @Test
    void aSweepWithNothingToDoDeletesNothing() {
        assertEquals(0, Mailboxes.expireEach(List.of(), id -> {
            throw new AssertionError("no mailbox to expire");
        }));
    }
}
