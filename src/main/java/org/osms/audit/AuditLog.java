package org.osms.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
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

    /** Entries after {@code after}, oldest first, at most {@code limit}, and fewer past {@link Page#BUDGET_BYTES}. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public AuditPage page(long after, int limit) {
        return page(after, limit, Page.BUDGET_BYTES);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    AuditPage page(long after, int limit, int budgetBytes) {
        Page page = Page.of(em.createNamedQuery("AuditEntry.after", AuditEntry.class), after, limit, budgetBytes);
        long headSeq = em.find(AuditHead.class, AuditHead.ID).lastSeq();
        return new AuditPage(page.entries(), headSeq, page.nextAfter());
    }

    /** One identity's entries after {@code after}, oldest first, at most {@code limit}. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page ofIdentity(long identityId, long after, int limit) {
        return ofIdentity(identityId, after, limit, Page.BUDGET_BYTES);
    }

    /**
     * The same, the page ending before its entries' canonical encodings pass {@code budgetBytes} (and holding at least
     * one entry): for a caller that has room for less than a whole page, so that it does not read what it cannot show.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page ofIdentity(long identityId, long after, int limit, int budgetBytes) {
        return Page.of(em.createNamedQuery("AuditEntry.ofIdentity", AuditEntry.class)
                .setParameter("identityId", identityId), after, limit, Math.min(budgetBytes, Page.BUDGET_BYTES));
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
        /**
         * A page ends before its entries' canonical encodings (docs/protocol.md) pass this many bytes, whatever the
         * limit: 1,000 entries that each carry two 3072-bit keys are about 3.5 MB of JSON, which a request of a
         * hundred bytes would otherwise have the server build, and hold while a slow reader takes it. A page always
         * holds at least one entry.
         */
        static final int BUDGET_BYTES = 512 * 1024;
        /** Rows read at once: the server never holds many more than one page's worth. */
        static final int CHUNK = 100;

        /** {@code query} has an {@code after} parameter and orders by {@code seq}. */
        static Page of(TypedQuery<AuditEntry> query, long after, int limit, int budgetBytes) {
            List<AuditRecord> page = new ArrayList<>();
            long bytes = 0;
            long next = after;
            while (true) {
                int want = Math.min(CHUNK, limit + 1 - page.size());
                List<AuditEntry> rows = query.setParameter("after", next).setMaxResults(want).getResultList();
                for (AuditEntry row : rows) {
                    AuditRecord r = row.toRecord();
                    int size = encodedLength(r);
                    if (page.size() == limit || (!page.isEmpty() && bytes + size > budgetBytes)) {
                        return new Page(page, page.get(page.size() - 1).seq()); // r exists: more follow
                    }
                    page.add(r);
                    bytes += size;
                }
                if (rows.size() < want) {
                    return new Page(page, null);
                }
                next = page.get(page.size() - 1).seq();
            }
        }

        /** The length of the entry's canonical encoding with its hash, without building it. */
        static int encodedLength(AuditRecord r) {
            return 12 + 3 * 8 + 4 + utf8Length(r.event()) + optional(r.usernameBefore()) + optional(r.usernameAfter())
                    + optional(r.fingerprintBefore()) + optional(r.fingerprintAfter())
                    + optional(r.publicKeyBefore()) + optional(r.publicKeyAfter()) + 2 * AuditRecord.HASH_LENGTH;
        }

        private static int optional(String s) {
            return s == null ? 1 : 5 + utf8Length(s);
        }

        private static int optional(byte[] b) {
            return b == null ? 1 : 5 + b.length;
        }

        private static int utf8Length(String s) {
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
    }
}
