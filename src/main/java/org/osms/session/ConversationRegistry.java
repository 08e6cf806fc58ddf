package org.osms.session;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrentAccessException;
import jakarta.ejb.NoSuchEJBException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.osms.metrics.ServerMetrics;
import org.osms.protocol.Username;

/**
 * Maps session ids to their conversation beans and enforces the caps. Every Tor client arrives from 127.0.0.1, so
 * limits per address would limit nobody: the caps are global, on live conversations and, tighter, on unfinished
 * handshakes (the cheap way to tie up server memory), and unfinished handshakes expire quickly.
 */
@ApplicationScoped
public class ConversationRegistry {
    /**
     * Where each conversation bean comes from: the EJB container's own name for a new stateful bean. Not CDI's
     * {@code Instance.get()}: for CDI a stateful bean is @Dependent, and an Instance keeps every dependent instance it
     * made (the bean's EJB wrapper and its CDI proxy) until {@code Instance.destroy}, whatever the container did, so
     * every conversation ever opened stayed reachable from this application-scoped registry. Looked up by name, a
     * bean has one owner, the entry below, and its @Remove (or the container's timeout) is its end.
     */
    private static final String BEAN_NAME = "java:module/Conversation!org.osms.session.Conversation";

    @Inject
    SessionSettings settings;

    @Inject
    SecureRandom random;

    @Inject
    Clock clock;

    @Inject
    Admission admission;

    private final Map<SessionId, Entry> live = new ConcurrentHashMap<>();
    /** Held while a login counts its identity's conversations and takes out those beyond the identity's share. */
    private final Object shares = new Object();

    @Inject
    ServerMetrics metrics;

    @PostConstruct
    void reportLive() {
        metrics.liveConversations(this::live);
    }

    /** A registered conversation and when it was last used. */
    public static final class Entry {
        private final Conversation bean;
        /** Epoch milliseconds, not an Instant: one object less for every conversation held. */
        private volatile long lastUsed;
        private volatile boolean encrypted;
        /** {@link ConversationState#NO_IDENTITY} until known; a primitive, one object less per conversation. */
        private volatile long identity = ConversationState.NO_IDENTITY;
        /** Set when the registry ends the conversation, before its bean is destroyed. */
        private volatile boolean ended;
        /** Whether a deferred command (a long-polling fetch) of this conversation waits; guarded by the entry. */
        private boolean awaiting;

        Entry(Conversation bean, Instant now) {
            this.bean = bean;
            this.lastUsed = now.toEpochMilli();
        }

        boolean ended() {
            return ended;
        }

        public Conversation bean() {
            return bean;
        }

        /**
         * Claims the conversation's one place for a waiting command; false when another command of it already waits.
         * One wait per conversation: a client that sends more (the protocol forbids it) cannot pile up waiting
         * requests, each of them a wake-up task on the shared executor and a call queued on the conversation's bean.
         */
        synchronized boolean startAwaiting() {
            if (awaiting) {
                return false;
            }
            awaiting = true;
            return true;
        }

        synchronized void stopAwaiting() {
            awaiting = false;
        }

        boolean encrypted() {
            return encrypted;
        }
    }

    /** Calls of {@link #endOthersOf} so far: see {@link #closings()}. */
    private final AtomicLong closings = new AtomicLong();

    /**
     * How many times conversations of an identity were ended because the identity was closed or its key replaced
     * ({@link #endOthersOf}, {@link #endAllOf}), counted before they are looked for. A login reads its identity
     * before it is registered here as that identity's ({@link #markEncrypted}); a closing between the two would miss
     * it. So a login notes this count before its handshake's last step, and reads its identity again when the count
     * moved meanwhile: a closing committed before that second read is seen by it, and one committed after it finds
     * the conversation registered.
     */
    long closings() {
        return closings.get();
    }

    /**
     * Opens a conversation for the account named (or for a registration when empty) on this circuit, for an admission
     * that paid {@code extra} bits beyond its price (see Admission.check); 503 at the caps, 429 when the circuit holds
     * its share (see Admission).
     */
    public SessionId open(Username claimedUser, Circuit circuit, int extra) {
        List<Entry> displaced = new ArrayList<>();
        SessionId id;
        synchronized (this) {
            // Not refused for the cap of logged-in conversations: the login that would pass it makes room
            // (markEncrypted). A full class of unauthenticated conversations makes room by ending its oldest (see
            // Admission).
            Admission.Kind kind = Admission.Kind.of(claimedUser);
            for (SessionId d : admission.makeRoom(kind, circuit)) {
                admission.ended(d);
                Entry e = live.remove(d);
                if (e != null) {
                    displaced.add(e);
                }
            }
            Conversation bean = newBean();
            byte[] challenge = new byte[32];
            random.nextBytes(challenge);
            Entry entry = new Entry(bean, clock.instant());
            bean.open(claimedUser, challenge, entry::ended);
            id = SessionId.random(random);
            live.put(id, entry);
            admission.opened(id, kind, circuit, extra);
        }
        // outside the lock: ending a conversation waits for a request it is still answering (up to its access
        // timeout), and every first call to create_session would wait with it
        displaced.forEach(ConversationRegistry::destroy);
        return id;
    }

    /** Used only under this registry's lock (in {@link #open}): a naming context is not safe for concurrent use. */
    private InitialContext naming;

    private Conversation newBean() {
        try {
            if (naming == null) {
                naming = new InitialContext(); // building one costs more than the lookup itself
            }
            return (Conversation) naming.lookup(BEAN_NAME);
        } catch (NamingException e) {
            throw new IllegalStateException("the conversation bean is not deployed", e);
        }
    }

    public Optional<Entry> find(SessionId id) {
        Entry e = live.get(id);
        if (e != null) {
            e.lastUsed = clock.millis();
        }
        return Optional.ofNullable(e);
    }

    void markEncrypted(Entry entry) {
        markEncrypted(entry, null);
    }

    /**
     * The conversation's handshake completed, proving {@code identity}'s key (null for a registration conversation).
     * A login makes room for itself ({@link LoginShares}): an identity that would now hold more than its share of
     * logged-in conversations ({@link SessionSettings#maxPerIdentity}) loses its least recently used ones, and while
     * the server holds more than its cap ({@link SessionSettings#maxLive}), the identity holding the most loses its
     * least recently used one. Whoever holds many keys can log in again, but cannot fill what every other user needs.
     */
    void markEncrypted(Entry entry, Long identity) {
        entry.encrypted = true;
        loggedIn(entry, identity == null ? ConversationState.NO_IDENTITY : identity);
    }

    /** The conversation now acts for {@code identity}; the conversations that makes room for end. */
    private void loggedIn(Entry entry, long identity) {
        List<Map.Entry<SessionId, Entry>> displaced;
        synchronized (shares) { // not the registry's own lock, which open() holds while it makes a bean
            boolean first = entry.identity == ConversationState.NO_IDENTITY;
            entry.identity = identity;
            displaced = first ? makeRoom(entry) : List.of();
        }
        for (Map.Entry<SessionId, Entry> e : displaced) { // outside the lock: ending waits for a running request
            admission.ended(e.getKey());
            destroy(e.getValue());
        }
    }

    /**
     * Takes out of the map the logged-in conversations {@code newest} displaces ({@link LoginShares}) and returns
     * them. Counting is one pass without allocation; only a login beyond a limit lists the conversations.
     */
    private List<Map.Entry<SessionId, Entry>> makeRoom(Entry newest) {
        long identity = newest.identity;
        if (identity == ConversationState.NO_IDENTITY) {
            return List.of();
        }
        int total = 0;
        int own = 0;
        for (Entry e : live.values()) {
            if (e.identity != ConversationState.NO_IDENTITY) {
                total++;
                if (e.identity == identity) {
                    own++;
                }
            }
        }
        if (own <= settings.maxPerIdentity() && total <= settings.maxLive()) {
            return List.of();
        }
        List<LoginShares.Held<Map.Entry<SessionId, Entry>>> held = new ArrayList<>(total);
        Map.Entry<SessionId, Entry> self = null;
        for (Map.Entry<SessionId, Entry> e : live.entrySet()) {
            Entry v = e.getValue();
            if (v.identity != ConversationState.NO_IDENTITY) {
                held.add(new LoginShares.Held<>(e, v.identity, v.lastUsed));
                if (v == newest) {
                    self = e;
                }
            }
        }
        if (self == null) {
            return List.of(); // ended meanwhile
        }
        List<Map.Entry<SessionId, Entry>> displaced =
                LoginShares.displaced(held, self, settings.maxPerIdentity(), settings.maxLive());
        // gone for their next request at once, and not counted by the next login
        displaced.forEach(e -> live.remove(e.getKey()));
        return displaced;
    }

    /**
     * The identity this conversation acts for (known after a login handshake, or once `register` succeeded: then it
     * is a login, and makes room as one).
     */
    void actsFor(Entry entry, long identity) {
        loggedIn(entry, identity);
    }

    /**
     * Ends every conversation of this identity but {@code except}. Each is first removed from the map, so its next
     * request finds no conversation; a command already running in it is refused by its own authority check.
     */
    void endOthersOf(long identity, SessionId except) {
        closings.incrementAndGet();
        for (Map.Entry<SessionId, Entry> e : live.entrySet()) {
            if (e.getValue().identity == identity && identity != ConversationState.NO_IDENTITY
                    && !e.getKey().equals(except)) {
                end(e.getKey());
            }
        }
    }

    /**
     * Ends every conversation of this identity (an administrator suspended it), as a key replacement ends the others:
     * the same removal, and a command already running is refused by its own authority check.
     */
    public void endAllOf(long identity) {
        endOthersOf(identity, null);
    }

    /** Ends the conversation and destroys its bean (its @Remove method). */
    public void end(SessionId id) {
        admission.ended(id);
        Entry e = live.remove(id);
        if (e != null) {
            destroy(e);
        }
    }

    private static void destroy(Entry e) {
        e.ended = true; // first: a request of it that waits (a registration's puzzle check) gives up now
        try {
            e.bean.end();
        } catch (NoSuchEJBException alreadyGone) {
            // the container timed it out first (@StatefulTimeout)
        } catch (ConcurrentAccessException busy) {
            // still answering a request after @AccessTimeout: the container discards it with that request
        }
    }

    /** Ends every conversation idle for longer than its limit; returns how many. */
    public int expireIdle(Instant now) {
        List<SessionId> overdue = admission.overdue(now);
        overdue.forEach(this::end);
        int ended = overdue.size();
        for (Map.Entry<SessionId, Entry> e : live.entrySet()) {
            Entry entry = e.getValue();
            long limit = entry.lastUsed
                    + (entry.encrypted ? settings.idleTimeout() : settings.handshakeTimeout()).toMillis();
            if (now.toEpochMilli() > limit) {
                end(e.getKey());
                ended++;
            }
        }
        return ended;
    }

    public int live() {
        return live.size();
    }

    public int handshakes() {
        return (int) live.values().stream().filter(e -> !e.encrypted).count();
    }
}
