package org.osms.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;
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
        Page page = Page.of(em.createNamedQuery("AuditEntry.after", AuditEntry.class)
                .setParameter("after", after), limit);
        long headSeq = em.find(AuditHead.class, AuditHead.ID).lastSeq();
        return new AuditPage(page.entries(), headSeq, page.nextAfter());
    }

    /** One identity's entries after {@code after}, oldest first, at most {@code limit}. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page ofIdentity(long identityId, long after, int limit) {
        return Page.of(em.createNamedQuery("AuditEntry.ofIdentity", AuditEntry.class)
                .setParameter("identityId", identityId)
                .setParameter("after", after), limit);
    }

    /** How many of the identity's entries of these events were recorded after {@code sinceMillis}. */
    public long countOfIdentitySince(long identityId, long sinceMillis, java.util.Collection<AuditEvent> events) {
        return em.createNamedQuery("AuditEntry.countOfIdentitySince", Long.class)
                .setParameter("identityId", identityId)
                .setParameter("since", sinceMillis)
                .setParameter("events", events.stream().map(AuditEvent::wireName).toList())
                .getSingleResult();
    }

    /**
     * One page of entries and the paging rule shared by {@code /audit} and {@code /user/{name}/history}
     * (docs/protocol.md): {@code nextAfter} is present exactly when more entries follow this page. One entry more
     * than the page holds is read to know.
     */
    public record Page(List<AuditRecord> entries, Long nextAfter) {
        static Page of(TypedQuery<AuditEntry> query, int limit) {
            List<AuditRecord> read = query.setMaxResults(limit + 1).getResultList().stream()
                    .map(AuditEntry::toRecord).toList();
            if (read.size() <= limit) {
                return new Page(read, null);
            }
            List<AuditRecord> entries = read.subList(0, limit);
            return new Page(entries, entries.get(limit - 1).seq());
        }
    }
}
