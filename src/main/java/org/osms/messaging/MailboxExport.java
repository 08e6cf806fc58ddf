package org.osms.messaging;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
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
 * audit entries and the waiting messages are paged; every other part is whole in every page.
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

    public void of(Identity me, long auditAfter, long messagesAfter, JsonObjectBuilder reply) {
        long id = me.id();
        JsonObjectBuilder identity = JSON.createObjectBuilder()
                .add("identityId", id)
                .add("username", me.username().value())
                .add("status", me.status().wireName())
                .add("createdAt", me.createdAt());
        me.fingerprint().ifPresent(f -> identity.add("fingerprint", f.hex()));
        me.publicKeyBytes().ifPresent(k -> identity.add("publicKey", b64(k)));
        reply.add("identity", identity);
        reply.add("usernames", claims("SELECT c.username, c.claimedAt FROM UsernameClaim c WHERE c.identityId = :i "
                + "ORDER BY c.claimedAt, c.username", "username", id));
        reply.add("keys", claims("SELECT c.fingerprint, c.claimedAt FROM KeyClaim c WHERE c.identityId = :i "
                + "ORDER BY c.claimedAt, c.fingerprint", "fingerprint", id));

        AuditLog.Page entries = audit.ofIdentity(id, auditAfter, AUDIT_PAGE);
        JsonArrayBuilder auditEntries = JSON.createArrayBuilder();
        entries.entries().forEach(e -> auditEntries.add(describe(e)));
        reply.add("audit", auditEntries);
        if (entries.nextAfter() != null) {
            reply.add("auditNextAfter", entries.nextAfter());
        }

        JsonArrayBuilder blocked = JSON.createArrayBuilder();
        mailboxes.blocked(id).forEach(b -> blocked.add(JSON.createObjectBuilder()
                .add("identityId", b.blockedId()).add("blockedAt", b.blockedAt())));
        reply.add("blocked", blocked);

        mailboxes.mailbox(id).ifPresent(m -> reply.add("mailbox", JSON.createObjectBuilder()
                .add("nextId", m.nextSeq()).add("messages", m.messageCount()).add("bytes", m.byteCount())));
        List<StoredMessage> waiting = mailboxes.waiting(id, messagesAfter, MESSAGE_PAGE + 1);
        JsonArrayBuilder messages = JSON.createArrayBuilder();
        waiting.stream().limit(MESSAGE_PAGE).forEach(m -> messages.add(MailboxCommands.describe(m)));
        reply.add("messages", messages);
        if (waiting.size() > MESSAGE_PAGE) {
            reply.add("messagesNextAfter", waiting.get(MESSAGE_PAGE - 1).seq());
        }
        commands.quota(id, reply);
    }

    private JsonArrayBuilder claims(String query, String name, long id) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (Object[] row : em.createQuery(query, Object[].class).setParameter("i", id).getResultList()) {
            a.add(JSON.createObjectBuilder().add(name, (String) row[0]).add("claimedAt", (Long) row[1]));
        }
        return a;
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
