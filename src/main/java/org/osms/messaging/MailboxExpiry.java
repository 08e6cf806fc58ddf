package org.osms.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;

/** The retention's deletions, one mailbox per transaction of its own (see {@link Mailboxes#expire(long)}). */
@ApplicationScoped
public class MailboxExpiry {
    @PersistenceContext(unitName = "osms")
    EntityManager em;

    /** Creates this bean in the web module's naming context (see {@link MessagingStartup}). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public void warm() {
        // nothing: being called is the point
    }

    /** Deletes the mailbox's messages received before {@code cutoff} and recounts what is left. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int expire(long identityId, long cutoff) {
        Mailbox mailbox = em.find(Mailbox.class, identityId, LockModeType.PESSIMISTIC_WRITE);
        // counted and deleted by two statements, without reading a body: a full mailbox holds up to maxBytes of them
        Object[] old = em.createQuery("SELECT COUNT(m), SUM(m.bodyLength) FROM StoredMessage m "
                        + "WHERE m.recipientId = :r AND m.receivedAt < :cutoff", Object[].class)
                .setParameter("r", identityId).setParameter("cutoff", cutoff).getSingleResult();
        int count = ((Number) old[0]).intValue();
        if (count == 0) {
            return 0;
        }
        int deleted = em.createQuery("DELETE FROM StoredMessage m WHERE m.recipientId = :r "
                        + "AND m.receivedAt < :cutoff")
                .setParameter("r", identityId).setParameter("cutoff", cutoff).executeUpdate();
        if (deleted != count) {
            // the mailbox's row lock keeps every other change to its messages out until the commit
            throw new IllegalStateException("expiry counted " + count + " messages but deleted " + deleted);
        }
        mailbox.removed(count, ((Number) old[1]).longValue());
        em.flush();
        return count;
    }
}
