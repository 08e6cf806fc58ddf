package org.osms.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;
import org.osms.protocol.AuditEvent;
import org.osms.protocol.AuditPage;
import org.osms.protocol.AuditRecord;

/** Appends to and reads the audit log. */
@ApplicationScoped
public class AuditLog {
    @PersistenceContext(unitName = "osms")
    EntityManager em;

    @Inject
    Clock clock;

    /** The values of an identity before or after a change; any of them may be absent. */
    public record Values(String username, String fingerprint, byte[] publicKey) {
        public static final Values NONE = new Values(null, null, null);
    }

    /**
     * Appends one entry in the caller's transaction, so the change and its entry commit or roll back together. The
     * pessimistic lock on the chain head makes concurrent appenders wait for each other; the unique constraint on
     * {@code prev_hash} is the database's second line against a fork.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public AuditRecord append(AuditEvent event, long identityId, Values before, Values after) {
        AuditHead head = em.find(AuditHead.class, AuditHead.ID, LockModeType.PESSIMISTIC_WRITE);
        if (head == null) {
            throw new IllegalStateException("The audit chain head is missing; the schema is not migrated.");
        }
        AuditRecord sealed = new AuditRecord(head.lastSeq() + 1, clock.millis(), identityId, event.wireName(),
                before.username(), after.username(), before.fingerprint(), after.fingerprint(),
                before.publicKey(), after.publicKey(), head.lastHash(), null).sealed();
        em.persist(new AuditEntry(sealed));
        head.advance(sealed);
        return sealed;
    }

    /** Entries after {@code after}, oldest first, at most {@code limit}. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public AuditPage page(long after, int limit) {
        List<AuditRecord> entries = em.createNamedQuery("AuditEntry.after", AuditEntry.class)
                .setParameter("after", after)
                .setMaxResults(limit)
                .getResultList().stream().map(AuditEntry::toRecord).toList();
        long headSeq = em.find(AuditHead.class, AuditHead.ID).lastSeq();
        Long next = entries.size() == limit && entries.get(limit - 1).seq() < headSeq
                ? entries.get(limit - 1).seq() : null;
        return new AuditPage(entries, headSeq, next);
    }

    /** One identity's entries after {@code after}, oldest first, at most {@code limit}. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<AuditRecord> ofIdentity(long identityId, long after, int limit) {
        return em.createNamedQuery("AuditEntry.ofIdentity", AuditEntry.class)
                .setParameter("identityId", identityId)
                .setParameter("after", after)
                .setMaxResults(limit)
                .getResultList().stream().map(AuditEntry::toRecord).toList();
    }
}
