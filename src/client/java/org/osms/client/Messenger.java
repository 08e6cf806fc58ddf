package org.osms.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.security.KeyPair;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osms.otr.OtrConversation;
import org.osms.otr.OtrFailure;
import org.osms.protocol.OtrPublicKey;

/**
 * End-to-end conversations with other users, carried through the server's mailboxes (docs/protocol.md,
 * "Messaging"): one standard OTR version 3 conversation per peer, whose messages travel as the bodies of
 * {@code send} and {@code fetch}. The server only relays them.
 *
 * <p><b>Authentication is enforced.</b> When a peer's AKE completes, the long-term key the peer proved must be the
 * key the directory publishes for that username now, and the server's sender metadata (the key the sender's own
 * login proved, and the sending identity) must name that same key and identity; otherwise the conversation is
 * refused, nothing is sent to or accepted from it, and the refusal says why. Not thread-safe.
 */
public final class Messenger {
    /** Messages asked per fetch. */
    private static final int PAGE = 100;

    private final OsmsClient client;
    private OsmsClient.Session session;
    private final KeyPair key;
    private final Map<String, Peer> peers = new HashMap<>();
    private long after;

    /** What one incoming message gave: a decrypted text, or a problem with that peer (the text is then null). */
    public record Event(String from, String text, String problem) {
        public boolean refused() {
            return problem != null;
        }
    }

    private static final class Peer {
        private OtrConversation otr;
        private final Deque<String> queued = new ArrayDeque<>();
        private Long identityId;
        private OtrPublicKey verified;
    }

    public Messenger(OsmsClient client, OsmsClient.Session session, KeyPair key) {
        this.client = client;
        this.session = session;
        this.key = key;
    }

    public OsmsClient.Session session() {
        return session;
    }

    /**
     * Goes on in a new login conversation (after going offline): the end-to-end conversations and the texts queued
     * for them are this client's, not the login's, and carry on.
     */
    public void resume(OsmsClient.Session next) {
        this.session = next;
    }

    /**
     * Sends {@code text} to {@code to}: at once if the end-to-end conversation is encrypted and authenticated,
     * otherwise it waits in this client (see {@link #queued}) while the AKE goes through the mailboxes, and is sent
     * as soon as the conversation is authenticated. Returns true if it was sent now.
     */
    public boolean send(String to, String text) {
        Peer p = peer(to);
        if (p.verified != null) {
            deliver(to, p, text);
            return true;
        }
        boolean starting = p.queued.isEmpty() && p.otr == null;
        p.queued.addLast(text);
        if (starting) {
            p.otr = conversationWith(to);
            try {
                for (String m : p.otr.start()) {
                    session.sendTo(to, m);
                }
            } catch (OtrFailure e) {
                throw new OsmsException(0, "otr", e.getMessage());
            }
        }
        return false;
    }

    /** Texts to {@code to} still waiting for the end-to-end conversation to be authenticated. */
    public List<String> queued(String to) {
        Peer p = peers.get(to);
        return p == null ? List.of() : List.copyOf(p.queued);
    }

    /** The key {@code peer} proved end to end and the client accepted, if the conversation is authenticated. */
    public Optional<OtrPublicKey> verifiedKey(String peer) {
        Peer p = peers.get(peer);
        return p == null ? Optional.empty() : Optional.ofNullable(p.verified);
    }

    /**
     * One {@code fetch} (waiting up to {@code waitSeconds} for mail): answers the peers' AKE messages, checks each
     * conversation that completes, decrypts, and acknowledges everything it read, readable or not.
     */
    public List<Event> poll(int waitSeconds) {
        List<Event> events = new ArrayList<>();
        JsonObject page = session.fetch(after, PAGE, waitSeconds);
        List<Long> read = new ArrayList<>();
        for (JsonValue v : page.getJsonArray("messages")) {
            JsonObject m = v.asJsonObject();
            long id = m.getJsonNumber("id").longValue();
            read.add(id);
            after = Math.max(after, id);
            receive(m, events);
        }
        if (!read.isEmpty()) {
            session.ack(read);
        }
        return events;
    }

    private void receive(JsonObject m, List<Event> events) {
        String from = m.getString("from");
        Peer p = peer(from);
        long senderIdentity = m.getJsonNumber("fromIdentityId").longValue();
        if (p.identityId != null && p.identityId != senderIdentity) {
            events.add(refuse(from, p, "the server says this message comes from another identity than earlier "
                    + "messages under the name " + from));
            return;
        }
        p.identityId = senderIdentity;
        if (p.otr == null) {
            p.otr = conversationWith(from);
        }
        boolean wasEncrypted = p.otr.isEncrypted();
        OtrConversation.Received received;
        try {
            received = p.otr.receive(m.getString("body"));
        } catch (OtrFailure e) {
            events.add(new Event(from, null, "an unreadable message from " + from + " was dropped ("
                    + e.getMessage() + ")"));
            return;
        }
        if (!wasEncrypted && p.otr.isEncrypted()) {
            String problem = authenticate(from, p, m.getString("fingerprint"));
            if (problem != null) {
                events.add(refuse(from, p, problem));
                return;
            }
        } else if (p.verified != null && !p.verified.fingerprint().hex().equals(m.getString("fingerprint"))) {
            events.add(refuse(from, p, "the server says " + from + " sent this with a key other than the one "
                    + "verified for the conversation"));
            return;
        }
        for (String reply : received.replies()) {
            session.sendTo(from, reply);
        }
        received.plaintext().ifPresent(text -> {
            if (p.verified == null) {
                events.add(new Event(from, null, "a message from " + from
                        + " arrived outside an authenticated conversation and was dropped"));
            } else {
                events.add(new Event(from, text, null));
            }
        });
        if (p.verified != null) {
            while (!p.queued.isEmpty()) {
                deliver(from, p, p.queued.removeFirst());
            }
        }
    }

    /**
     * The AKE with {@code peer} just completed: the key it proved must be the directory's key for that name now, and
     * the key the sender's login proved (the server's metadata) must be the same. Returns the problem, or null.
     */
    private String authenticate(String peer, Peer p, String senderLoginFingerprint) {
        OtrPublicKey proven = p.otr.remoteKey().orElse(null);
        if (proven == null) {
            return "the end-to-end conversation with " + peer + " proved no key";
        }
        JsonObject listed;
        try {
            listed = client.user(peer);
        } catch (OsmsException e) {
            return "the directory has no key for " + peer + " (" + e.code() + ")";
        }
        String published = listed.getString("fingerprint", null);
        if (published == null) {
            return "the directory publishes no key for " + peer + " (" + listed.getString("status", "?") + ")";
        }
        if (!published.equals(proven.fingerprint().hex())) {
            return peer + " proved key " + proven.fingerprint().human()
                    + " end to end, but the directory publishes " + published + " for " + peer;
        }
        if (!published.equals(senderLoginFingerprint)) {
            return "the server says the sender logged in with key " + senderLoginFingerprint
                    + ", not the key " + peer + " proved end to end";
        }
        p.verified = proven;
        return null;
    }

    private Event refuse(String from, Peer p, String why) {
        // Forget the conversation: nothing more is sent to it or accepted from it; queued texts stay queued.
        p.otr = null;
        p.verified = null;
        p.identityId = null;
        return new Event(from, null, "refused the conversation with " + from + ": " + why);
    }

    private void deliver(String to, Peer p, String text) {
        try {
            for (String m : p.otr.send(text)) {
                session.sendTo(to, m);
            }
        } catch (OtrFailure e) {
            throw new OsmsException(0, "otr", e.getMessage());
        }
    }

    private Peer peer(String name) {
        return peers.computeIfAbsent(name, k -> new Peer());
    }

    private OtrConversation conversationWith(String peer) {
        return new OtrConversation("me", peer, key);
    }
}
