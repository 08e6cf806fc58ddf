package org.osms.messaging;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.osms.directory.Identity;
import org.osms.metrics.ServerMetrics;
import org.osms.protocol.Username;
import org.osms.session.Caller;
import org.osms.session.CommandArguments;
import org.osms.session.CommandHandler;

/** The mailbox's commands inside the login conversation (docs/protocol.md, "Messaging"). */
@ApplicationScoped
public class MailboxCommands implements CommandHandler {
    /** Messages per {@code fetch} page, at most. */
    static final int MAX_PAGE = 100;
    /** Message numbers per {@code ack}, at most. */
    static final int MAX_ACK = 1000;

    @Inject
    ServerMetrics metrics;

    @Inject
    Mailboxes mailboxes;

    @Inject
    MailboxNotifier notifier;

    @Inject
    MessagingSettings settings;

    @Inject
    MailboxExport export;

    @Override
    public Set<String> commands() {
        return Set.of("send", "fetch", "ack", "block", "unblock", "blocked", "quota", "export");
    }

    /** Reads only: the caller's waiting messages, block list, quota and export. */
    @Override
    public boolean changesNothing(String command) {
        return switch (command) {
            case "fetch", "blocked", "quota", "export" -> true;
            default -> false;
        };
    }

    @Override
    public void handle(Caller caller, String command, JsonObject c, JsonObjectBuilder reply) {
        long me = caller.identityId();
        switch (command) {
            case "send" -> {
                Username to = Username.of(CommandArguments.text(c, "to"));
                mailboxes.send(new Mailboxes.Sender(me, caller.identity().username(), caller.provenKey()),
                        to, CommandArguments.text(c, "body"));
                metrics.messageRelayed();
                reply.add("to", to.value());
            }
            case "fetch" -> fetch(caller, c, reply);
            case "ack" -> reply.add("acked", mailboxes.ack(me, ids(c)));
            case "block" -> {
                Mailboxes.Blocked blocked = mailboxes.block(me, Username.of(CommandArguments.text(c, "username")));
                describe(blocked.identity(), reply);
                reply.add("discarded", blocked.discarded());
            }
            case "unblock" -> describe(mailboxes.unblock(me, Username.of(CommandArguments.text(c, "username"))),
                    reply);
            case "blocked" -> blocked(me, c, reply);
            case "quota" -> quota(me, reply);
            case "export" -> export.of(caller.identity(), new MailboxExport.Cursors(
                    optional(c, "usernamesAfter", 0, Long.MAX_VALUE), optional(c, "keysAfter", 0, Long.MAX_VALUE),
                    optional(c, "blockedAfter", 0, Long.MAX_VALUE), optional(c, "auditAfter", 0, Long.MAX_VALUE),
                    optional(c, "messagesAfter", 0, Long.MAX_VALUE)), reply);
            default -> throw new IllegalArgumentException(command);
        }
    }

    /**
     * Messages after {@code after}. With {@code wait} and nothing to return, the command is deferred: it is answered
     * when a message arrives or the wait is over, and meanwhile holds no thread (the long poll).
     */
    private void fetch(Caller caller, JsonObject c, JsonObjectBuilder reply) {
        long after = optional(c, "after", 0, Long.MAX_VALUE);
        int limit = (int) optional(c, "limit", 1, MAX_PAGE, MAX_PAGE);
        long wait = optional(c, "wait", 0, settings.maxWait().toSeconds());
        long version = notifier.version(caller.identityId());
        Mailboxes.Window page = mailboxes.waiting(caller.identityId(), after, limit, FetchPage.REPLY_BUDGET, true);
        if (page.messages().isEmpty() && page.nextAfter() == null && wait > 0
                && caller.deferUntil(notifier.wakeupFor(caller.identityId(), version), Duration.ofSeconds(wait),
                        JSON.createObjectBuilder().add("command", "fetch").add("after", after).add("limit", limit)
                                .add("wait", wait).build())) {
            return;
        }
        JsonArrayBuilder messages = JSON.createArrayBuilder();
        page.messages().forEach(m -> messages.add(describe(m)));
        reply.add("messages", messages);
        if (page.nextAfter() != null) {
            reply.add("nextAfter", page.nextAfter());
        }
    }

    /** A waiting message as {@code fetch} and {@code export} show it. */
    static JsonObjectBuilder describe(StoredMessage m) {
        return JSON.createObjectBuilder()
                .add("id", m.seq())
                .add("from", m.senderUsername())
                .add("fromIdentityId", m.senderId())
                .add("fingerprint", m.senderFingerprint())
                .add("receivedAt", m.receivedAt())
                .add("body", m.body());
    }

    /** A page of the caller's block list after {@code after} (a {@code blockedAt}), with the blocked names. */
    private void blocked(long me, JsonObject c, JsonObjectBuilder reply) {
        TimeOrderedPage.Page page = TimeOrderedPage.read(mailboxes.blocks(me, true),
                optional(c, "after", 0, Long.MAX_VALUE), new ReplyBudget(FetchPage.REPLY_BUDGET), true);
        reply.add("blocked", page.entries());
        page.nextAfter().ifPresent(next -> reply.add("nextAfter", next));
    }

    private static void describe(Identity blockedOrNot, JsonObjectBuilder reply) {
        reply.add("username", blockedOrNot.username().value()).add("identityId", blockedOrNot.id());
    }

    /** The limits and what the caller uses of them. */
    void quota(long me, JsonObjectBuilder reply) {
        MessagingSettings.Limits l = settings.limits();
        Mailbox box = mailboxes.mailbox(me).orElse(null);
        reply.add("limits", JSON.createObjectBuilder()
                        .add("maxBodyBytes", l.maxBodyBytes())
                        .add("maxMessages", l.maxMessages())
                        .add("maxBytes", l.maxBytes())
                        .add("sendsPerMinute", l.sendsPerMinute())
                        .add("retentionSeconds", settings.retention().toSeconds())
                        .add("maxWaitSeconds", settings.maxWait().toSeconds()))
                .add("usage", JSON.createObjectBuilder()
                        .add("messages", box == null ? 0 : box.messageCount())
                        .add("bytes", box == null ? 0 : box.byteCount())
                        .add("sendsLastMinute", mailboxes.sendsLastMinute(me)));
    }

    private static List<Long> ids(JsonObject c) {
        JsonValue v = c.get("ids");
        if (!(v instanceof JsonArray a) || a.isEmpty() || a.size() > MAX_ACK) {
            throw CommandArguments.badCommand("'ack' needs 'ids': an array of 1 to " + MAX_ACK + " message ids.");
        }
        List<Long> ids = new ArrayList<>();
        for (JsonValue id : a) {
            if (!(id instanceof JsonNumber n) || !n.isIntegral()) {
                throw CommandArguments.badCommand("'ids' must hold integers.");
            }
            try {
                ids.add(n.longValueExact()); // longValue() would wrap 2^64 + 5 around to message 5
            } catch (ArithmeticException e) {
                throw CommandArguments.badCommand("'ids' must hold message ids: integers of at most 19 digits.");
            }
        }
        return ids;
    }

    private static long optional(JsonObject c, String name, long min, long max) {
        return optional(c, name, min, max, min);
    }

    private static long optional(JsonObject c, String name, long min, long max, long absent) {
        if (!c.containsKey(name)) {
            return absent;
        }
        long v = CommandArguments.integer(c, name);
        if (v < min || v > max) {
            throw CommandArguments.badCommand("'" + name + "' must be from " + min + " to " + max + ".");
        }
        return v;
    }
}
