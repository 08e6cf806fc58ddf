package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    @Test
    void aSweepWithNothingToDoDeletesNothing() {
        assertEquals(0, Mailboxes.expireEach(List.of(), id -> {
            throw new AssertionError("no mailbox to expire");
        }));
    }
}
