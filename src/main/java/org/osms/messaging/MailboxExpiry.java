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
        int count = MailboxDeletion.delete(mailbox, em.createQuery("SELECT COUNT(m), SUM(m.bodyLength)"
                        + " FROM StoredMessage m WHERE m.recipientId = :r AND m.receivedAt < :cutoff", Object[].class)
                        .setParameter("r", identityId).setParameter("cutoff", cutoff),
                em.createQuery("DELETE FROM StoredMessage m WHERE m.recipientId = :r AND m.receivedAt < :cutoff")
                        .setParameter("r", identityId).setParameter("cutoff", cutoff), "expiry");
        if (count > 0) {
            em.flush();
        }
        return count;
    }
}
