package org.osms.messaging;

import jakarta.persistence.Query;
import jakarta.persistence.TypedQuery;

/**
 * Deleting messages of one mailbox whose row the caller's transaction holds locked, which keeps every other change to
 * its messages out until the commit: {@code ack}, {@code block} and the retention. Two statements select the same
 * messages: one counts them and sums their lengths without reading a body (a full mailbox holds up to maxBytes of
 * them), the other deletes them; the mailbox's counts then lose what was deleted.
 */
final class MailboxDeletion {
    private MailboxDeletion() {
    }

    /**
     * Deletes what {@code deleting} selects; {@code counting} must select the same messages ({@code COUNT}, then
     * {@code SUM} of their lengths). Returns how many were deleted. {@code what} names the caller in the error thrown
     * if the two disagree, which rolls the transaction back.
     */
    static int delete(Mailbox mailbox, TypedQuery<Object[]> counting, Query deleting, String what) {
        Object[] found = counting.getSingleResult();
        int count = ((Number) found[0]).intValue();
        if (count == 0) {
            return 0;
        }
        int deleted = deleting.executeUpdate();
        if (deleted != count) {
            throw new IllegalStateException(what + " counted " + count + " messages but deleted " + deleted);
        }
        mailbox.removed(count, ((Number) found[1]).longValue());
        return count;
    }
}
