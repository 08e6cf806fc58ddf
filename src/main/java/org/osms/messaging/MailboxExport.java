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

    /** Where each paged part of {@code export} resumes: the members {@code usernamesAfter} … {@code messagesAfter}. */
    public record Cursors(long usernames, long keys, long blocked, long audit, long messages) {
    }

    /**
     * One page of the export. The parts that are whole in every page come first (the identity, its mailbox's
     * counters, its limits and usage); then the paged parts, in this order: audit entries, waiting messages,
     * usernames, keys, block list. Each takes what it needs of what is left of {@link FetchPage#REPLY_BUDGET} (at
     * most {@value #AUDIT_PAGE}, {@value #MESSAGE_PAGE} or {@value TimeOrderedPage#MAX_ENTRIES} entries), so that the
     * reply stays one OTR message the client accepts. Each page makes progress: the first of them with entries left
     * shows at least one, whatever the room (no more than one such part can exceed the room, and one entry of any
     * part fits beside the whole parts); a later part that had no room says so with its unchanged cursor. The audit
     * and the messages come first so that a client that pages only them (servers before the lists were paged sent
     * the lists whole) still gets every audit entry and message.
     */
    public void of(Identity me, Cursors after, JsonObjectBuilder reply) {
        long id = me.id();
        JsonObjectBuilder identityBuilder = JSON.createObjectBuilder()
                .add("identityId", id)
                .add("username", me.username().value())
                .add("status", me.status().wireName())
                .add("createdAt", me.createdAt());
        me.fingerprint().ifPresent(f -> identityBuilder.add("fingerprint", f.hex()));
        me.publicKeyBytes().ifPresent(k -> identityBuilder.add("publicKey", b64(k)));
        ReplyBudget budget = new ReplyBudget(FetchPage.REPLY_BUDGET);
        reply.add("identity", budget.take(identityBuilder.build()));
        mailboxes.mailbox(id).ifPresent(m -> reply.add("mailbox", budget.take(JSON.createObjectBuilder()
                .add("nextId", m.nextSeq()).add("messages", m.messageCount()).add("bytes", m.byteCount()).build())));
        JsonObjectBuilder quota = JSON.createObjectBuilder();
        commands.quota(id, quota);
        budget.take(quota.build()).forEach(reply::add);

        // the page read is cut at the room left in the reply (one chunk of rows at most beyond it), not at 512 KiB: an
        // entry's canonical encoding (raw keys) is shorter than its JSON here (base64), and the loop below still decides
        AuditLog.Page entries = audit.ofIdentity(id, after.audit(), AUDIT_PAGE,
                (int) Math.max(1, budget.left()));
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
        boolean shown = auditShown > 0;

        Mailboxes.Window waiting = mailboxes.waiting(id, after.messages(), MESSAGE_PAGE, budget.left(), !shown);
        JsonArrayBuilder messages = JSON.createArrayBuilder();
        waiting.messages().forEach(m -> messages.add(budget.take(MailboxCommands.describe(m).build())));
        reply.add("messages", messages);
        if (waiting.nextAfter() != null) {
            reply.add("messagesNextAfter", waiting.nextAfter());
        }
        shown |= !waiting.messages().isEmpty();

        shown |= part("usernames", claims("UsernameClaim", "username", id), after.usernames(), budget, !shown, reply);
        shown |= part("keys", claims("KeyClaim", "fingerprint", id), after.keys(), budget, !shown, reply);
        part("blocked", mailboxes.blocks(id, false), after.blocked(), budget, !shown, reply);
    }

    /** A part read by time: its entries as {@code name}, and {@code nameNextAfter} when more are left. */
    private static boolean part(String name, TimeOrderedPage.Source source, long after, ReplyBudget budget,
            boolean atLeastOne, JsonObjectBuilder reply) {
        TimeOrderedPage.Page page = TimeOrderedPage.read(source, after, budget, atLeastOne);
        reply.add(name, page.entries());
        page.nextAfter().ifPresent(next -> reply.add(name + "NextAfter", next));
        return page.showsAny();
    }

    /** The usernames or keys an identity has claimed ({@code UsernameClaim}, {@code KeyClaim}), by their time. */
    private TimeOrderedPage.Source claims(String entity, String member, long identityId) {
        return TimeOrderedPage.of(em, "SELECT c." + member + ", c.claimedAt FROM " + entity
                + " c WHERE c.identityId = :i", "c.claimedAt", "ORDER BY c.claimedAt, c." + member,
                q -> q.setParameter("i", identityId), r -> new TimeOrderedPage.Entry((Long) r[1],
                        JSON.createObjectBuilder().add(member, (String) r[0]).add("claimedAt", (Long) r[1]).build()));
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
