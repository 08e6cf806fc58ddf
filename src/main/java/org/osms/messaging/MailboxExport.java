package org.osms.messaging;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.Base64;
import java.util.List;
import org.osms.audit.AuditLog;
import org.osms.directory.Identity;
import org.osms.protocol.AuditRecord;

/**
 * {@code export}: everything the server holds about the caller, as one document (docs/protocol.md, "export"). The
 * audit entries and the waiting messages are paged, by count and by the reply's size; every other part is whole in
 * every page.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class MailboxExport {
    static final int AUDIT_PAGE = 200;
    static final int MESSAGE_PAGE = 50;

    @PersistenceContext(unitName = "osms")
    EntityManager em;

    @Inject
    AuditLog audit;

    @Inject
    Mailboxes mailboxes;

    @Inject
    MailboxCommands commands;

    /** Creates this bean in the web module's naming context (see {@link MessagingStartup}). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public void warm() {
        // nothing: being called is the point
    }

    /**
     * One page of the export. The parts that are whole in every page come first; the audit entries then take what
     * they need of what is left of {@link FetchPage#REPLY_BUDGET}, at most {@value #AUDIT_PAGE}, and the waiting
     * messages the rest, at most {@value #MESSAGE_PAGE}, so that the reply stays one OTR message the client accepts.
     * Each page makes progress: the audit entries always get at least one entry, and messages at least one once no
     * audit entry is left to export; a part that had no room in this page says so with its unchanged cursor.
     */
    public void of(Identity me, long auditAfter, long messagesAfter, JsonObjectBuilder reply) {
        long id = me.id();
        JsonObjectBuilder identityBuilder = JSON.createObjectBuilder()
                .add("identityId", id)
                .add("username", me.username().value())
                .add("status", me.status().wireName())
                .add("createdAt", me.createdAt());
        me.fingerprint().ifPresent(f -> identityBuilder.add("fingerprint", f.hex()));
        me.publicKeyBytes().ifPresent(k -> identityBuilder.add("publicKey", b64(k)));
        Budget budget = new Budget(FetchPage.REPLY_BUDGET);
        reply.add("identity", budget.take(identityBuilder.build()));
        reply.add("usernames", budget.take(claims("SELECT c.username, c.claimedAt FROM UsernameClaim c "
                + "WHERE c.identityId = :i ORDER BY c.claimedAt, c.username", "username", id)));
        reply.add("keys", budget.take(claims("SELECT c.fingerprint, c.claimedAt FROM KeyClaim c WHERE c.identityId = :i "
                + "ORDER BY c.claimedAt, c.fingerprint", "fingerprint", id)));
        JsonArrayBuilder blocked = JSON.createArrayBuilder();
        mailboxes.blocked(id).forEach(b -> blocked.add(JSON.createObjectBuilder()
                .add("identityId", b.blockedId()).add("blockedAt", b.blockedAt())));
        reply.add("blocked", budget.take(blocked.build()));
        mailboxes.mailbox(id).ifPresent(m -> reply.add("mailbox", budget.take(JSON.createObjectBuilder()
                .add("nextId", m.nextSeq()).add("messages", m.messageCount()).add("bytes", m.byteCount()).build())));
        JsonObjectBuilder quota = JSON.createObjectBuilder();
        commands.quota(id, quota);
        budget.take(quota.build()).forEach(reply::add);

        AuditLog.Page entries = audit.ofIdentity(id, auditAfter, AUDIT_PAGE);
        JsonArrayBuilder auditEntries = JSON.createArrayBuilder();
        int auditShown = 0;
        for (AuditRecord r : entries.entries()) {
            JsonObject entry = describe(r).build();
            if (auditShown > 0 && !budget.fits(entry)) {
                break;
            }
            auditEntries.add(budget.take(entry));
            auditShown++;
        }
        reply.add("audit", auditEntries);
        if (auditShown < entries.entries().size()) {
            reply.add("auditNextAfter", entries.entries().get(auditShown - 1).seq());
        } else if (entries.nextAfter() != null) {
            reply.add("auditNextAfter", entries.nextAfter());
        }

        List<StoredMessage> waiting = mailboxes.waiting(id, messagesAfter, MESSAGE_PAGE + 1);
        JsonArrayBuilder messages = JSON.createArrayBuilder();
        int messagesShown = 0;
        for (StoredMessage m : waiting.subList(0, Math.min(MESSAGE_PAGE, waiting.size()))) {
            JsonObject message = MailboxCommands.describe(m).build();
            if ((messagesShown > 0 || auditShown > 0) && !budget.fits(message)) {
                break;
            }
            messages.add(budget.take(message));
            messagesShown++;
        }
        reply.add("messages", messages);
        if (messagesShown < waiting.size()) {
            reply.add("messagesNextAfter", messagesShown == 0 ? messagesAfter : waiting.get(messagesShown - 1).seq());
        }
    }

    /** Characters of a reply's plaintext still free; JSON's punctuation between the parts is counted generously. */
    private static final class Budget {
        private static final int SEPARATORS = 40;
        private int left;

        Budget(int characters) {
            left = characters;
        }

        boolean fits(JsonValue part) {
            return part.toString().length() + SEPARATORS <= left;
        }

        <T extends JsonValue> T take(T part) {
            left -= part.toString().length() + SEPARATORS;
            return part;
        }
    }

    private JsonArray claims(String query, String name, long id) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (Object[] row : em.createQuery(query, Object[].class).setParameter("i", id).getResultList()) {
            a.add(JSON.createObjectBuilder().add(name, (String) row[0]).add("claimedAt", (Long) row[1]));
        }
        return a.build();
    }

    /** An audit entry with the members of {@code GET /audit}. */
    private static JsonObjectBuilder describe(AuditRecord r) {
        JsonObjectBuilder o = JSON.createObjectBuilder()
                .add("seq", r.seq()).add("recordedAt", r.recordedAt()).add("identityId", r.identityId())
                .add("event", r.event());
        optional(o, "usernameBefore", r.usernameBefore());
        optional(o, "usernameAfter", r.usernameAfter());
        optional(o, "fingerprintBefore", r.fingerprintBefore());
        optional(o, "fingerprintAfter", r.fingerprintAfter());
        optional(o, "publicKeyBefore", r.publicKeyBefore() == null ? null : b64(r.publicKeyBefore()));
        optional(o, "publicKeyAfter", r.publicKeyAfter() == null ? null : b64(r.publicKeyAfter()));
        return o.add("prevHash", b64(r.prevHash())).add("hash", b64(r.hash()));
    }

    private static void optional(JsonObjectBuilder o, String name, String value) {
        if (value != null) {
            o.add(name, value);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
