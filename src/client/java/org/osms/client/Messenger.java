package org.osms.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
 * refused, nothing is sent to or accepted from it, and the refusal says why. With a {@link PeerKeyCheck}, the key
 * must also be the one pinned for the peer, or the peer's public history must show the change to it; after such a
 * change, texts to the peer wait until the user confirms the new key ({@link PeerPins#confirm}), so none leaves before
 * the user has seen the notice.
 *
 * <p>Texts written before the conversation is authenticated wait in an {@link Outbox} (on disk it survives the
 * process, and holds plaintext at 0600) and leave it one by one, in order, each after the server accepted its
 * {@code send}. Not thread-safe.
 */
public final class Messenger implements Chat.Messages {
    /** Messages asked per fetch. */
    private static final int PAGE = 100;
    /** Ids per {@code ack} (docs/protocol.md: 1 to 1000). */
    private static final int ACK_LIMIT = 1000;
    /** Read messages whose acknowledgement is kept for a later poll; past this, the oldest are given up. */
    private static final int MAX_UNACKNOWLEDGED = 10_000;
    /** A sender's name as the server sends it: canonical (docs/protocol.md, "Conventions"). */
    private static final java.util.regex.Pattern CANONICAL_NAME = java.util.regex.Pattern.compile("[a-z0-9]{1,32}");
    /** Identity ids are 1 to 2^53 - 1 (docs/protocol.md, "Conventions"). */
    private static final long MAX_IDENTITY_ID = (1L << 53) - 1;

    private final OsmsClient client;
    private OsmsClient.Session session;
    private final KeyPair key;
    private final PeerKeyCheck keyCheck;
    private final Outbox outbox;
    private final Map<String, Peer> peers = new HashMap<>();
    private long after;
    /**
     * Ids of messages read (fed to OTR, so they cannot be read again) whose {@code ack} the server has not taken yet:
     * sent again with every later poll until it does, in this process and across its logins.
     */
    private final java.util.LinkedHashSet<Long> unacknowledged = new java.util.LinkedHashSet<>();
    /** What a poll that failed half way had read (texts decrypted before the failure): {@link #finish} returns it. */
    private final List<Event> unshown = new ArrayList<>();

    /**
     * What one incoming message gave: a decrypted text, or a problem with that peer (the text is then null). When the
     * message completed an AKE whose key was checked against the pins, {@code keyCheck} says what was concluded (an
     * accepted first use or rotation, with neither text nor problem, or the reason of a refusal). A text sent with a
     * changed key the user has not confirmed yet ({@link #awaitsConfirmation}) has {@code unconfirmedKey}: a server
     * can show one client a log of its own with such a change in it, so it is shown as such, not like the others.
     * A problem that is the server's refusal of something sent to that peer (an answer to its handshake, a waiting
     * text) has the refusal's code in {@code refusalCode}.
     */
    public record Event(String from, String text, String problem, PeerKeyCheck.Result keyCheck,
            boolean unconfirmedKey, String refusalCode) {
        public Event(String from, String text, String problem, PeerKeyCheck.Result keyCheck, boolean unconfirmedKey) {
            this(from, text, problem, keyCheck, unconfirmedKey, null);
        }

        public Event(String from, String text, String problem, PeerKeyCheck.Result keyCheck) {
            this(from, text, problem, keyCheck, false);
        }

        public Event(String from, String text, String problem) {
            this(from, text, problem, null);
        }

        public boolean refused() {
            return problem != null;
        }

        /**
         * What to print for a person: {@code "! "} and the problem, {@code "* "} and a key notice, or sender and text
         * (the sender followed by {@code [unconfirmed key]} when the text came with a key not confirmed yet). A text
         * of several lines gives several lines, each starting with its sender; nothing in a text or a problem can
         * act on the terminal ({@link TerminalText}).
         */
        public String line() {
            if (refused()) {
                return "! " + TerminalText.line(problem);
            }
            if (text == null && keyCheck != null) {
                return "* " + TerminalText.line(keyCheck.message());
            }
            return TerminalText.lines(TerminalText.line(from) + (unconfirmedKey ? " [unconfirmed key]" : "") + ": ",
                    text);
        }
    }

    private static final class Peer {
        private OtrConversation otr;
        private Long identityId;
        private OtrPublicKey verified;
        /** The verified key came with a key change the user has not confirmed: texts wait. */
        private boolean unconfirmed;
    }

    /** Without pins, texts queued in memory only: each peer's key is checked against the directory alone. */
    public Messenger(OsmsClient client, OsmsClient.Session session, KeyPair key) {
        this(client, session, key, null, Outbox.inMemory());
    }

    /** Peers' keys checked against {@code keyCheck}'s pins (null: the directory alone), texts queued in {@code outbox}. */
    public Messenger(OsmsClient client, OsmsClient.Session session, KeyPair key, PeerKeyCheck keyCheck,
            Outbox outbox) {
        this.client = client;
        this.session = session;
        this.key = key;
        this.keyCheck = keyCheck;
        this.outbox = outbox;
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
     * Sends {@code text} to {@code to}: it joins the texts waiting for {@code to}, and they are all sent, in order, at
     * once if the end-to-end conversation is encrypted and authenticated; otherwise they wait (see {@link #queued})
     * while the AKE goes through the mailboxes, and are sent as soon as the conversation is authenticated (and the
     * user confirmed the peer's key, if it changed: {@link #awaitsConfirmation}). Returns true if nothing waits for
     * {@code to} any more. A refused {@code send} throws, and leaves the text waiting; so does one answered {@code
     * unknown_outcome}, whose text may then arrive twice (the outbox's rule: repeated, never lost).
     */
    @Override
    public boolean send(String to, String text) {
        Peer p = peer(to);
        outbox.add(to, text);
        if (p.verified != null) {
            if (!mayDeliver(to, p)) {
                return false;
            }
            deliverWaiting(to, p);
            return true;
        }
        if (p.otr == null) {
            start(to, p);
        }
        return false;
    }

    /** Puts {@code text} in the outbox for a later run, and nothing more (the chat that took it is failing). */
    @Override
    public void keep(String to, String text) {
        outbox.add(to, text);
    }

    /**
     * Starts an end-to-end conversation with every peer that has texts waiting (from an earlier run) and none going
     * on; returns those peers. Their texts are sent once the conversations are authenticated.
     */
    public List<String> startWaiting() {
        List<String> started = new ArrayList<>();
        for (String to : new LinkedHashSet<>(outbox.all().stream().map(Outbox.Entry::to).toList())) {
            Peer p = peer(to);
            if (p.otr == null) {
                start(to, p);
                started.add(to);
            }
        }
        return started;
    }

    /** Texts to {@code to} still waiting for the end-to-end conversation to be authenticated. */
    @Override
    public List<String> queued(String to) {
        return outbox.waiting(to).stream().map(Outbox.Entry::text).toList();
    }

    /**
     * Whether the conversation with {@code peer} is authenticated with a changed key that the user has not confirmed
     * yet (the key check's notice said so): texts to {@code peer} wait until they do.
     */
    @Override
    public boolean awaitsConfirmation(String peer) {
        Peer p = peers.get(peer);
        return p != null && p.verified != null && !mayDeliver(peer, p);
    }

    /** The key {@code peer} proved end to end and the client accepted, if the conversation is authenticated. */
    public Optional<OtrPublicKey> verifiedKey(String peer) {
        Peer p = peers.get(peer);
        return p == null ? Optional.empty() : Optional.ofNullable(p.verified);
    }

    /**
     * One {@code fetch} (waiting up to {@code waitSeconds} for mail): answers the peers' AKE messages, checks each
     * conversation that completes, decrypts, and acknowledges everything it read, readable or not. A refused answer
     * or text to one peer is an event, not a failure: every message read is still decrypted and returned.
     */
    @Override
    public List<Event> poll(int waitSeconds) {
        List<Event> events = new ArrayList<>();
        JsonObject page = session.fetch(after, PAGE, waitSeconds);
        List<Long> read = new ArrayList<>();
        List<JsonObject> messages;
        try {
            messages = page.getJsonArray("messages").stream().map(JsonValue::asJsonObject).toList();
            messages.forEach(m -> m.getJsonNumber("id").longValueExact());
        } catch (RuntimeException e) {
            throw new OsmsException(0, "bad_response", "The server's fetch reply is malformed.");
        }
        try {
            for (JsonObject m : messages) {
                long id = m.getJsonNumber("id").longValueExact();
                read.add(id);
                after = Math.max(after, id);
                receive(m, events);
            }
        } catch (RuntimeException unexpected) {
            // receive reports a refused send as an event and goes on; this is anything else (the pins' file, say).
            // What was read was fed to OTR and cannot be read again: acknowledge it anyway, keep what it came to for
            // finish() to show (texts decrypted before the failure among it), then report the failure.
            unshown.addAll(events);
            unacknowledged.addAll(read);
            try {
                acknowledge();
            } catch (RuntimeException ackFailed) {
                unexpected.addSuppressed(ackFailed);
            }
            throw unexpected;
        }
        unacknowledged.addAll(read);
        try {
            acknowledge();
        } catch (OsmsException ackFailed) {
            // the texts were read and are shown; the ids are acknowledged again with the next poll (a later fetch
            // after a restart would find the messages again and could not read them: this client's OTR state has
            // moved on)
            events.add(new Event("?", null, "the server did not take the acknowledgement of "
                    + unacknowledged.size() + " message(s) (" + ackFailed.code()
                    + "); it is tried again with the next poll and before logging out"));
        }
        return events;
    }

    /**
     * Before the conversation ends: what a poll that failed half way had read and could not return (its texts were
     * decrypted once and cannot be again), then acknowledges what a refused {@code ack} left (the ids live only in
     * this process). Never throws; when the server still refuses, the event says what that means.
     */
    public List<Event> finish() {
        List<Event> events = new ArrayList<>(unshown);
        unshown.clear();
        if (unacknowledged.isEmpty()) {
            return events;
        }
        int left = unacknowledged.size();
        String why;
        try {
            acknowledge();
            return events;
        } catch (OsmsException ackFailed) {
            why = ackFailed.code();
        } catch (RuntimeException ackFailed) {
            why = ackFailed.getClass().getSimpleName();
        }
        unacknowledged.clear();
        events.add(new Event("?", null, "the server did not take the acknowledgement of " + left
                + " message(s) (" + why + "); they stay on the server until its retention ends, and if they arrive "
                + "again they cannot be read"));
        return events;
    }

    /** Read messages whose acknowledgement the server has not taken yet (sent again with the next poll). */
    int unacknowledged() {
        return unacknowledged.size();
    }

    /**
     * Acknowledges what was read and not acknowledged yet, {@link #ACK_LIMIT} ids at a time, oldest first; an id
     * leaves the set only once the server took its {@code ack} (which ignores ids no longer waiting, so sending one
     * twice is harmless). Past {@link #MAX_UNACKNOWLEDGED} the oldest are given up: the server deletes them at the
     * end of its retention.
     */
    private void acknowledge() {
        while (unacknowledged.size() > MAX_UNACKNOWLEDGED) {
            unacknowledged.remove(unacknowledged.iterator().next());
        }
        while (!unacknowledged.isEmpty()) {
            List<Long> batch = unacknowledged.stream().limit(ACK_LIMIT).toList();
            session.ack(batch);
            batch.forEach(unacknowledged::remove);
        }
    }

    private void receive(JsonObject m, List<Event> events) {
        String from;
        long senderIdentity;
        String body;
        String fingerprint;
        try {
            from = m.getString("from");
            senderIdentity = m.getJsonNumber("fromIdentityId").longValueExact();
            body = m.getString("body");
            fingerprint = m.getString("fingerprint");
        } catch (RuntimeException e) {
            events.add(new Event("?", null, "a message the server described incompletely was dropped"));
            return;
        }
        if (!CANONICAL_NAME.matcher(from).matches() || senderIdentity < 1 || senderIdentity > MAX_IDENTITY_ID) {
            events.add(new Event("?", null, "a message with a malformed sender (name or identity) was dropped"));
            return;
        }
        Peer p = peer(from);
        if (p.identityId != null && p.identityId != senderIdentity) {
            events.add(refuse(from, p, "the server says this message comes from another identity than earlier "
                    + "messages under the name " + from, null));
            return;
        }
        p.identityId = senderIdentity;
        if (p.otr != null && p.otr.isEncrypted() && isQuery(body)) {
            // The peer starts over: its client restarted and lost the conversation (the outbox survives restarts,
            // OTR state does not). Its new instance could never read this side's old one, so start afresh too; the
            // new AKE is authenticated again like the first.
            p.otr = null;
            forgetVerified(p);
        }
        if (p.otr == null) {
            p.otr = conversationWith(from);
        }
        OtrConversation.Received received;
        try {
            received = p.otr.receive(body);
        } catch (OtrFailure e) {
            events.add(new Event(from, null, "an unreadable message from " + from + " was dropped ("
                    + e.getMessage() + ")"));
            return;
        }
        if (p.otr.isFinished()) {
            // The peer ended the conversation (its disconnect): nothing can be sent in it any more, and what was
            // verified for it no longer holds. Texts to the peer wait; the next one starts a new conversation.
            received.plaintext().ifPresent(text -> events.add(textEvent(from, p, text)));
            p.otr = null;
            forgetVerified(p);
            events.add(new Event(from, null, from + " ended the end-to-end conversation; the next text to " + from
                    + " starts a new one"));
            return;
        }
        // A completed AKE proves a key: the first one, or (a re-keyed conversation) another than the one verified.
        // Compared by fingerprint (equal fingerprints are equal keys): validating is authenticate's work, and a key
        // that fails it must be refused there, not thrown out of the poll.
        boolean newlyProven = p.otr.isEncrypted() && (p.verified == null
                || !p.otr.remoteFingerprint().map(p.verified.fingerprint()::equals).orElse(false));
        if (newlyProven) {
            forgetVerified(p);
            Event problem = authenticate(from, p, fingerprint, events);
            if (problem != null) {
                events.add(problem);
                return;
            }
        } else if (p.verified != null && !p.verified.fingerprint().hex().equals(fingerprint)) {
            events.add(refuse(from, p, "the server says " + from + " sent this with a key other than the one "
                    + "verified for the conversation", null));
            return;
        }
        try {
            for (String reply : received.replies()) {
                session.sendTo(from, reply);
            }
        } catch (OsmsException refused) {
            // Say a deleted or rate-limited peer: the rest of the poll goes on, so that no other message read with it
            // is lost (each is acknowledged at the end of the poll, and could not be read again).
            if (!p.otr.isEncrypted()) {
                // a handshake whose answer was lost cannot complete: the next query or text starts a new one
                p.otr = null;
                forgetVerified(p);
            }
            events.add(new Event(from, null, "could not answer " + from + " (" + refused.code() + "): "
                    + refused.getMessage(), null, false, refused.code()));
        }
        received.plaintext().ifPresent(text -> events.add(textEvent(from, p, text)));
        if (mayDeliver(from, p)) {
            try {
                deliverWaiting(from, p);
            } catch (OsmsException refused) {
                events.add(new Event(from, null, "texts to " + from + " still wait (" + refused.code() + "): "
                        + refused.getMessage(), null, false, refused.code()));
            }
        }
    }

    /** A decrypted text: shown if the conversation is authenticated, dropped (and said so) otherwise. */
    private Event textEvent(String from, Peer p, String text) {
        return p.verified == null
                ? new Event(from, null, "a message from " + from
                        + " arrived outside an authenticated conversation and was dropped")
                : new Event(from, text, null, null, !mayDeliver(from, p));
    }

    /**
     * The AKE with {@code peer} just completed: the key it proved must be the directory's key for that name now, the
     * key the sender's login proved (the server's metadata) must be the same, and the pins must accept it. Returns
     * the refusal, or null (then an accepted pin outcome worth telling, if any, was added to {@code events}).
     */
    private Event authenticate(String peer, Peer p, String senderLoginFingerprint, List<Event> events) {
        OtrPublicKey proven;
        try {
            proven = p.otr.remoteKey().orElse(null);
        } catch (RuntimeException unfit) {
            // otr4j checks the AKE's signature only (JCA's NONEwithDSA checks no sizes): a key OSMS refuses, say a
            // 1056-bit modulus, completes it. Any user can send one, so it is a refusal like the others, not a crash.
            return refuse(peer, p, peer + " proved a key OSMS does not accept (" + unfit.getMessage() + ")", null);
        }
        if (proven == null) {
            return refuse(peer, p, "the end-to-end conversation with " + peer + " proved no key", null);
        }
        JsonObject listed;
        try {
            listed = client.user(peer);
        } catch (OsmsException e) {
            return refuse(peer, p, "the directory has no key for " + peer + " (" + e.code() + ")", null);
        }
        String published = listed.getString("fingerprint", null);
        if (published == null) {
            return refuse(peer, p, "the directory publishes no key for " + peer + " ("
                    + listed.getString("status", "?") + ")", null);
        }
        if (!published.equals(proven.fingerprint().hex())) {
            return refuse(peer, p, peer + " proved key " + proven.fingerprint().human()
                    + " end to end, but the directory publishes " + published + " for " + peer, null);
        }
        if (!published.equals(senderLoginFingerprint)) {
            return refuse(peer, p, "the server says the sender logged in with key " + senderLoginFingerprint
                    + ", not the key " + peer + " proved end to end", null);
        }
        if (keyCheck != null) {
            PeerKeyCheck.Result pinned = keyCheck.check(peer, published, p.identityId);
            if (!pinned.accepted()) {
                return refuse(peer, p, pinned.message(), pinned);
            }
            if (pinned.outcome() != PeerKeyCheck.Outcome.UNCHANGED) {
                events.add(new Event(peer, null, null, pinned));
            }
            p.unconfirmed = pinned.awaitsConfirmation();
        }
        p.verified = proven;
        return null;
    }

    /**
     * Texts may leave for {@code to}: the conversation is authenticated, and its key is not a change the user has yet
     * to confirm. The pins are read again while it is one, so a confirmation ({@code osms trust}) takes effect here
     * without a new AKE.
     */
    private boolean mayDeliver(String to, Peer p) {
        if (p.verified == null) {
            return false;
        }
        if (p.unconfirmed) {
            p.unconfirmed = keyCheck.awaitsConfirmation(to, p.verified.fingerprint().hex());
        }
        return !p.unconfirmed;
    }

    private static void forgetVerified(Peer p) {
        p.verified = null;
        p.unconfirmed = false;
    }

    private Event refuse(String from, Peer p, String why, PeerKeyCheck.Result keyCheck) {
        // Forget the conversation: nothing more is sent to it or accepted from it; queued texts stay queued.
        p.otr = null;
        forgetVerified(p);
        p.identityId = null;
        return new Event(from, null, "refused the conversation with " + from + ": " + why, keyCheck);
    }

    /** Sends the waiting texts in order; each leaves the outbox only once the server accepted its {@code send}. */
    private void deliverWaiting(String to, Peer p) {
        for (Outbox.Entry e : outbox.waiting(to)) {
            try {
                for (String m : p.otr.send(e.text())) {
                    session.sendTo(to, m);
                }
            } catch (OtrFailure failure) {
                throw new OsmsException(0, "otr", failure.getMessage());
            }
            outbox.remove(e);
        }
    }

    private void start(String to, Peer p) {
        p.otr = conversationWith(to);
        try {
            for (String m : p.otr.start()) {
                session.sendTo(to, m);
            }
        } catch (OtrFailure e) {
            throw new OsmsException(0, "otr", e.getMessage());
        }
    }

    /** An OTR query offering version 3 (docs/protocol.md, "Message bodies"), as the server accepts it. */
    private static boolean isQuery(String body) {
        return org.osms.protocol.OtrEnvelope.isQuery(body);
    }

    private Peer peer(String name) {
        return peers.computeIfAbsent(name, k -> new Peer());
    }

    private OtrConversation conversationWith(String peer) {
        return new OtrConversation("me", peer, key);
    }
}
