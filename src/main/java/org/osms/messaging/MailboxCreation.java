package org.osms.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionalException;
import java.util.List;

/** Mailbox changes that need a transaction of their own. */
@ApplicationScoped
public class MailboxCreation {
    @PersistenceContext(unitName = "osms")
    EntityManager em;

    @Inject
    MailboxCreation self;

    /** Creates this bean in the web module's naming context (see {@link MessagingStartup}). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public void warm() {
        // nothing: being called is the point
    }

    /**
     * Creates the mailbox row in its own transaction, so that two first messages racing to one recipient cannot make
     * each other's transaction fail: the loser's insert violates the primary key, rolls back alone, and both go on
     * to lock the one row.
     */
    public void create(long identityId) {
        try {
            self.insert(identityId);
        } catch (PersistenceException | TransactionalException raced) {
            // the other send created it first
        }
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void insert(long identityId) {
        em.persist(new Mailbox(identityId));
        em.flush();
    }

    /** Deletes the mailbox's messages received before {@code cutoff} and recounts what is left. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int expire(long identityId, long cutoff) {
        Mailbox mailbox = em.find(Mailbox.class, identityId, LockModeType.PESSIMISTIC_WRITE);
        List<StoredMessage> old = em.createQuery("SELECT m FROM StoredMessage m WHERE m.recipientId = :r "
                        + "AND m.receivedAt < :cutoff", StoredMessage.class)
                .setParameter("r", identityId).setParameter("cutoff", cutoff).getResultList();
        for (StoredMessage m : old) {
            mailbox.removed(1, m.body().length());
            em.remove(m);
        }
        em.flush();
        return old.size();
    }
}
