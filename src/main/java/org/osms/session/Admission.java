package org.osms.session;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * Who may open a conversation (docs/protocol.md, "Admission"). Every Tor client arrives from 127.0.0.1, so the server
 * cannot tell one client from another; instead, unauthenticated work costs the client before it costs the server:
 * <ul>
 *   <li>Login handshakes and registration conversations are two classes with their own caps
 *   (OSMS_SESSION_MAX_HANDSHAKES, OSMS_SESSION_MAX_REGISTRATIONS), so a flood of one cannot exclude the other, and
 *   neither counts against the cap of logged-in conversations.</li>
 *   <li>Each Tor circuit ({@link Circuit}, reported by the front) may hold at most a quarter of either class
 *   ({@link #share}); a circuit at its share is refused ({@code 429 circuit_busy}) until one of its own conversations
 *   moves on or expires. Requests that did not come through the front share one circuit, {@link Circuit#LOCAL},
 *   which has no share of its own: any local process could as well name a fresh circuit in the header.</li>
 *   <li>A class at its cap does not refuse newcomers: the newcomer displaces, of the conversations of the circuits
 *   that hold the most of the class (counting the newcomer), the one whose admission paid the least beyond its price,
 *   the oldest first. So a flooding circuit displaces its own conversations before anyone else's, and when every
 *   circuit holds one, a conversation that paid more than its puzzle asked outlasts cheaper ones. An abandoned
 *   handshake is always the oldest; a login handshake that completes quickly is displaced only by a flood of as many
 *   newcomers as the cap, spread over as many circuits, within its handshake, none of them cheaper than it. A
 *   registration conversation stays in its class through its puzzle's search, and can be displaced meanwhile
 *   (docs/protocol.md, "Admission", rule 3).</li>
 *   <li>Once a class is half full, the first {@code POST /create_session} must carry the solution of a puzzle (one
 *   SHA-256 to check) whose difficulty rises by a bit for each doubling of the admissions of the last ten seconds above
 *   the class's cap, like tor's own proof of work: an attacker can displace conversations only as fast as it can
 *   solve. Puzzles are stateless: a token carries its class, difficulty and time under an HMAC with a key that lives
 *   only in memory; only tokens already used are remembered, until they expire, and at most {@link #MAX_SPENT} of
 *   them: beyond that the oldest are forgotten, and every token issued as early as those is refused.</li>
 *   <li>Handshakes must complete within OSMS_SESSION_HANDSHAKE_TIMEOUT of their start, and a registration conversation
 *   must register within OSMS_REGISTRATION_TIMEOUT of its handshake, whatever the client sends meanwhile.</li>
 * </ul>
 */
@ApplicationScoped
public class Admission {
    /** How long a puzzle may be answered after it was issued. */
    static final Duration PUZZLE_LIFETIME = Duration.ofMinutes(2);
    /** An answer to a puzzle at most this many bits easier than the current difficulty is still accepted. */
    static final int SLACK_BITS = 2;
    /** Difficulty never falls by more than one bit per this period, so that it does not swing with each burst. */
    private static final long EASING_SECONDS = 10;
    private static final int MAX_EXTRA_BITS = 12;
    private static final int MAX_SPENT = 100_000;
    private static final int TOKEN_VERSION = 1;
    private static final int PAYLOAD_BYTES = 1 + 1 + 8 + 1 + 16;
    private static final int MAC_BYTES = 16;
    private static final int MAX_TOKEN_CHARS = 128;

    /** The two classes of unauthenticated conversations. */
    public enum Kind {
        LOGIN, REGISTRATION;

        static Kind of(Username claimedUser) {
            return claimedUser == null ? REGISTRATION : LOGIN;
        }
    }

    /**
     * A conversation of one class, the circuit it came on, the time by which it must have moved on, and the bits of
     * work its admission paid beyond the price asked then ({@link #check}; 0 for one that paid the price, or needed
     * no puzzle).
     */
    private record Ticket(Circuit circuit, Instant deadline, int extra) {
    }

    /** A circuit's conversations in one class, at most {@link #share} of the class unless it is the local one. */
    private static final int SHARE_DIVISOR = 4;

    private static final class Load {
        final RecentCount admissions = new RecentCount(10, 1);
        int bits;
        Instant bitsSince = Instant.EPOCH;
    }

    @Inject
    Clock clock;

    @Inject
    SessionSettings settings;

    @Inject
    SecureRandom random;

    private SecretKeySpec macKey;
    private final Map<Kind, LinkedHashMap<SessionId, Ticket>> held = new EnumMap<>(Kind.class);
    private final Map<Kind, Map<Circuit, Integer>> perCircuit = new EnumMap<>(Kind.class);
    private final Map<Kind, Load> load = new EnumMap<>(Kind.class);
    /** Tokens already used and not yet expired, oldest issued first. */
    private final TreeSet<Spent> spent = new TreeSet<>();
    /** At most this many are remembered ({@link #MAX_SPENT}; smaller in a unit test). */
    int maxSpent = MAX_SPENT;
    /**
     * When the set was full, the oldest used tokens were forgotten: every token issued at or before this time (epoch
     * milliseconds) is refused as if it had expired, so that none of them can be used again.
     */
    private long forgottenThrough = Long.MIN_VALUE;

    /** A used token, ordered by when it was issued and then by its text (two tokens of one millisecond). */
    private record Spent(long issuedMillis, String token) implements Comparable<Spent> {
        @Override
        public int compareTo(Spent o) {
            int byTime = Long.compare(issuedMillis, o.issuedMillis);
            return byTime != 0 ? byTime : token.compareTo(o.token);
        }
    }

    @PostConstruct
    void start() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        macKey = new SecretKeySpec(key, "HmacSHA256");
        for (Kind k : Kind.values()) {
            held.put(k, new LinkedHashMap<>());
            perCircuit.put(k, new HashMap<>());
            load.put(k, new Load());
        }
    }

    private int cap(Kind kind) {
        return kind == Kind.LOGIN ? settings.maxHandshakes() : settings.maxRegistrations();
    }

    /** The most conversations of a class one circuit may hold: a quarter of the class's cap, at least one. */
    public int share(Kind kind) {
        return Math.max(1, cap(kind) / SHARE_DIVISOR);
    }

    /** Leading zero bits a new conversation of this class must show now; 0 while the class is less than half full. */
    public synchronized int requiredBits(Kind kind) {
        Instant now = clock.instant();
        Load l = load.get(kind);
        int cap = cap(kind);
        if (held.get(kind).size() * 2 < cap) {
            return 0;
        }
        int wanted = settings.admissionBits()
                + Math.min(MAX_EXTRA_BITS, RecentCount.extraBits(l.admissions.total(now), cap));
        long eased = Duration.between(l.bitsSince, now).getSeconds() / EASING_SECONDS;
        int floor = (int) Math.max(0, l.bits - eased);
        int bits = Math.max(wanted, floor);
        if (bits != l.bits) {
            l.bits = bits;
            l.bitsSince = now;
        }
        return bits;
    }

    /**
     * Checks the puzzle of a first {@code POST /create_session}: nothing when none is needed now, else the headers
     * must answer a fresh puzzle of this class at about the current difficulty. {@code effortHeader}, optional: the
     * zero bits the answer was searched for, which it must show, from the puzzle's own to {@link
     * AdmissionPuzzle#MAX_BITS}. Returns the bits paid beyond the current price (0 when none was needed): a
     * declared effort, not the answer's luck, since half of the answers of a price show a bit more by chance.
     */
    public int check(Kind kind, Circuit circuit, String token, String counterHeader, String effortHeader) {
        refuseOverShare(kind, circuit);
        int required = requiredBits(kind);
        if (required == 0) {
            return 0;
        }
        if (token == null && counterHeader == null) {
            throw puzzle(kind, required, "The server is busy: solve the puzzle in OSMS-Puzzle and send it again.");
        }
        if (token == null || counterHeader == null || token.length() > MAX_TOKEN_CHARS
                || !counterHeader.matches("[0-9]{1,18}")
                || effortHeader != null && !effortHeader.matches("[0-9]{1,2}")) {
            throw badPuzzle();
        }
        ByteBuffer payload = payloadOf(token);
        if (payload == null) {
            // well formed, but not under this server's key: issued before its last start (a restart invalidates every
            // puzzle), or forged; either way a fresh puzzle, as for no answer at all
            throw puzzle(kind, required, "The puzzle was not issued by this server since it last started: solve"
                    + " this one.");
        }
        if (payload.get() != TOKEN_VERSION || payload.get() != kind.ordinal()) {
            throw badPuzzle();
        }
        Instant issued = Instant.ofEpochMilli(payload.getLong());
        int bits = payload.get();
        int effort = effortHeader == null ? bits : Integer.parseInt(effortHeader);
        if (effort < bits || effort > AdmissionPuzzle.MAX_BITS
                || !AdmissionPuzzle.isSolved(token, Long.parseLong(counterHeader), effort)) {
            throw badPuzzle();
        }
        Instant now = clock.instant();
        if (issued.plus(PUZZLE_LIFETIME).isBefore(now) || bits < required - SLACK_BITS) {
            throw puzzle(kind, required, "The puzzle expired or the server got busier: solve this one.");
        }
        spend(token, issued, kind, required);
        // beyond what this puzzle asked and beyond the price now: a difficulty that fell since counts for nothing
        return Math.max(0, effort - Math.max(bits, required));
    }

    /**
     * Remembers a token as used; refuses one used before. The set is bounded, and a full set never refuses a fresh
     * token (that would lock every client out while one client keeps it full): it forgets its oldest tokens instead,
     * and refuses every token issued as early as those, which can then no longer be told apart from used ones.
     */
    private synchronized void spend(String token, Instant issued, Kind kind, int required) {
        // the time read under this lock: with an earlier one, a token another thread just dropped as expired could
        // be taken as new
        long expiredBefore = clock.instant().minus(PUZZLE_LIFETIME).toEpochMilli();
        while (!spent.isEmpty() && spent.first().issuedMillis() < expiredBefore) {
            spent.pollFirst(); // check() refuses these as expired
        }
        if (issued.toEpochMilli() < expiredBefore || issued.toEpochMilli() <= forgottenThrough) {
            throw puzzle(kind, required, "The puzzle expired or the server got busier: solve this one.");
        }
        if (!spent.add(new Spent(issued.toEpochMilli(), token))) {
            throw puzzle(kind, required, "This puzzle was already used: solve this one.");
        }
        while (spent.size() > maxSpent) {
            forgottenThrough = Math.max(forgottenThrough, spent.pollFirst().issuedMillis());
        }
    }

    /** Used tokens remembered now (for the unit test). */
    synchronized int remembered() {
        return spent.size();
    }

    /** The token's payload; null when it is well formed but its MAC is not this server's; bad_puzzle if malformed. */
    private ByteBuffer payloadOf(String token) {
        int dot = token.indexOf('.');
        byte[] payload;
        byte[] mac;
        try {
            payload = Base64.getUrlDecoder().decode(token.substring(0, Math.max(dot, 0)));
            mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw badPuzzle();
        }
        if (dot < 0 || payload.length != PAYLOAD_BYTES || mac.length != MAC_BYTES) {
            throw badPuzzle();
        }
        return MessageDigest.isEqual(mac, mac(payload)) ? ByteBuffer.wrap(payload) : null;
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(macKey);
            return java.util.Arrays.copyOf(hmac.doFinal(payload), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String issue(Kind kind, int bits) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        byte[] payload = ByteBuffer.allocate(PAYLOAD_BYTES).put((byte) TOKEN_VERSION).put((byte) kind.ordinal())
                .putLong(clock.millis()).put((byte) bits).put(nonce).array();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(payload) + "." + b64.encodeToString(mac(payload));
    }

    private PuzzleRequired puzzle(Kind kind, int bits, String why) {
        return new PuzzleRequired(issue(kind, bits), bits, why);
    }

    private static ApiException badPuzzle() {
        return new ApiException(400, "bad_puzzle",
                "The puzzle answer is malformed, is for the other kind of conversation, or does not solve it.");
    }

    /** 429 {@code circuit_busy} when this circuit already holds its share of the class (never the local circuit). */
    private synchronized void refuseOverShare(Kind kind, Circuit circuit) {
        if (circuit.local() || perCircuit.get(kind).getOrDefault(circuit, 0) < share(kind)) {
            return;
        }
        Instant now = clock.instant();
        Instant firstFree = held.get(kind).values().stream().filter(t -> t.circuit().equals(circuit))
                .map(Ticket::deadline).min(Instant::compareTo).orElse(now);
        throw new CircuitBusy(kind, Duration.between(now, firstFree));
    }

    /**
     * Makes room for one more conversation of this class from this circuit: refused when the circuit holds its
     * share; when the class is full, conversations are displaced: of those of the circuits that hold the most (the
     * newcomer counted), the one whose admission paid the least beyond its price, the oldest first. The caller ends
     * the conversations returned (the registry, under its own lock).
     */
    synchronized List<SessionId> makeRoom(Kind kind, Circuit circuit) {
        refuseOverShare(kind, circuit);
        LinkedHashMap<SessionId, Ticket> tickets = held.get(kind);
        Map<Circuit, Integer> counts = perCircuit.get(kind);
        List<SessionId> displaced = new ArrayList<>();
        while (tickets.size() >= cap(kind) && !tickets.isEmpty()) {
            int most = 0;
            for (Map.Entry<Circuit, Integer> c : counts.entrySet()) {
                most = Math.max(most, c.getValue() + (c.getKey().equals(circuit) ? 1 : 0));
            }
            // of the largest circuits' conversations, the one that paid the least beyond its price, the oldest first
            SessionId victim = null;
            int least = Integer.MAX_VALUE;
            for (Map.Entry<SessionId, Ticket> t : tickets.entrySet()) {
                Circuit of = t.getValue().circuit();
                if (counts.get(of) + (of.equals(circuit) ? 1 : 0) == most && t.getValue().extra() < least) {
                    victim = t.getKey();
                    least = t.getValue().extra();
                }
            }
            if (victim == null) {
                // the newcomer's circuit alone is the largest but holds nothing yet: all hold one; the oldest goes
                victim = tickets.keySet().iterator().next();
            }
            remove(kind, victim);
            displaced.add(victim);
        }
        return displaced;
    }

    /** A new conversation of this class; {@code extra}: the bits its admission paid beyond the price (see check). */
    synchronized void opened(SessionId id, Kind kind, Circuit circuit, int extra) {
        Instant now = clock.instant();
        held.get(kind).put(id, new Ticket(circuit, now.plus(settings.handshakeTimeout()), extra));
        perCircuit.get(kind).merge(circuit, 1, Integer::sum);
        load.get(kind).admissions.add(now);
    }

    private Ticket remove(Kind kind, SessionId id) {
        Ticket t = held.get(kind).remove(id);
        if (t != null) {
            perCircuit.get(kind).computeIfPresent(t.circuit(), (c, n) -> n == 1 ? null : n - 1);
        }
        return t;
    }

    /** A login leaves the handshake class; a registration conversation now has a short time to register. */
    synchronized void handshakeDone(SessionId id) {
        Ticket t = remove(Kind.LOGIN, id);
        if (t == null) {
            held.get(Kind.REGISTRATION).computeIfPresent(id, (k, old) -> new Ticket(old.circuit(),
                    clock.instant().plus(settings.registrationTimeout()), old.extra()));
        }
    }

    /** After a successful {@code register} the conversation is an ordinary logged-in one. */
    synchronized void registered(SessionId id) {
        remove(Kind.REGISTRATION, id);
    }

    synchronized boolean awaitsRegistration(SessionId id) {
        return held.get(Kind.REGISTRATION).containsKey(id);
    }

    synchronized void ended(SessionId id) {
        for (Kind k : Kind.values()) {
            remove(k, id);
        }
    }

    /** Conversations past their deadline (unfinished handshakes, registration conversations that did not register). */
    synchronized List<SessionId> overdue(Instant now) {
        List<SessionId> late = new ArrayList<>();
        for (Map<SessionId, Ticket> m : held.values()) {
            m.forEach((id, t) -> {
                if (now.isAfter(t.deadline())) {
                    late.add(id);
                }
            });
        }
        return late;
    }

    /** Conversations held in the two unauthenticated classes (they do not count against the live cap). */
    public synchronized int held() {
        return held.values().stream().mapToInt(Map::size).sum();
    }

    public synchronized int held(Kind kind) {
        return held.get(kind).size();
    }

    /** Conversations of this class that this circuit holds. */
    public synchronized int held(Kind kind, Circuit circuit) {
        return perCircuit.get(kind).getOrDefault(circuit, 0);
    }

    /**
     * 429 {@code circuit_busy}: this circuit holds its share of the class; Retry-After says when the first of them
     * reaches its deadline (sooner if the client completes or ends one).
     */
    public static final class CircuitBusy extends ApiException {
        private static final long serialVersionUID = 1L;
        private final int retryAfter;

        CircuitBusy(Kind kind, Duration untilFree) {
            super(429, "circuit_busy", kind == Kind.LOGIN
                    ? "This circuit holds its share of unfinished login handshakes; finish or end one first."
                    : "This circuit holds its share of registration conversations; register or end one first.");
            this.retryAfter = (int) Math.max(1, Math.min(3600, untilFree.toSeconds() + 1));
        }

        @Override
        public int retryAfterSeconds() {
            return retryAfter;
        }
    }

    /** 429 with a fresh puzzle: the client solves it and repeats its request with the answer. */
    public static final class PuzzleRequired extends ApiException {
        private static final long serialVersionUID = 1L;
        private final String token;
        private final int bits;

        PuzzleRequired(String token, int bits, String message) {
            super(429, "puzzle_required", message);
            this.token = token;
            this.bits = bits;
        }

        @Override
        public Map<String, String> headers() {
            return Map.of(AdmissionPuzzle.PUZZLE_HEADER, token, AdmissionPuzzle.BITS_HEADER, String.valueOf(bits));
        }
    }
}
