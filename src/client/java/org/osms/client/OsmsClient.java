package org.osms.client;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.osms.otr.OtrConversation;
import org.osms.otr.OtrFailure;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.AuditPage;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.HistoryView;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.ServerKeyHandover;
import org.osms.protocol.ServerKeyRecord;
import org.osms.protocol.Username;

/** Talks to one OSMS server (docs/protocol.md): public lookups, and logins as OTR conversations. */
public final class OsmsClient implements PublicLog.Pages {
    private static final int MAX_HANDSHAKE_CALLS = 10;
    private static final int MAX_PUZZLES = 8;
    /** The longest Retry-After the client waits out by itself; a longer one is the user's error to see. */
    static final int MAX_RETRY_AFTER_SECONDS = 5;
    static final int MAX_RETRIES = 2;

    /**
     * How long the client searches an admission puzzle: the two minutes within which the server accepts its answer
     * (docs/protocol.md, "Admission"); later the work is in vain.
     */
    static final Duration ADMISSION_PUZZLE_TIME = Duration.ofMinutes(2);
    /**
     * How long the client searches a registration puzzle: the outer bound of any conversation that is not used
     * (docs/protocol.md, 15 minutes); by then the server has ended the registration conversation.
     */
    static final Duration REGISTRATION_PUZZLE_TIME = Duration.ofMinutes(15);

    private final URI base;
    private final Transport transport;
    private final AtomicLong puzzlesSolved = new AtomicLong();
    private volatile Duration admissionPuzzleTime = ADMISSION_PUZZLE_TIME;
    private volatile Duration registrationPuzzleTime = REGISTRATION_PUZZLE_TIME;

    public OsmsClient(URI base) {
        this(base, Optional.empty());
    }

    /** Through {@code proxy} if present (it resolves the server's name: no DNS leak); an onion needs one. */
    public OsmsClient(URI base, Optional<SocksProxy> proxy) {
        this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
        this.transport = Transport.forServer(this.base, proxy);
    }

    /** Shorter searches than the protocol's bounds, for tests that need a puzzle given up on quickly. */
    void puzzleTimes(Duration admission, Duration registration) {
        this.admissionPuzzleTime = admission;
        this.registrationPuzzleTime = registration;
    }

    /** {@code GET /pk}: the key the server claims; pin it and compare on every login. */
    public OtrPublicKey serverKey() {
        JsonObject pk = get("pk");
        OtrPublicKey key = OtrPublicKey.parse(Base64.getDecoder().decode(pk.getString("publicKey")));
        if (!key.fingerprint().hex().equals(pk.getString("fingerprint"))) {
            throw new OsmsException(0, "bad_server_key", "The server's /pk fingerprint does not match its key.");
        }
        return key;
    }

    /**
     * {@code GET /pk/history}: every key the server has had, oldest first, read into the protocol's types; a
     * malformed document is {@code bad_response}. Nothing in it is trusted until {@link ServerKeyCheck} verified it.
     */
    public List<ServerKeyRecord> serverKeyHistory() {
        JsonObject history = get("pk/history");
        return wellFormed(() -> {
            if (history.getJsonArray("keys").size() > ServerKeyHandover.MAX_KEYS) {
                throw new IllegalArgumentException("too many keys");
            }
            return history.getJsonArray("keys").stream().map(JsonValue::asJsonObject)
                    .map(k -> new ServerKeyRecord(k.getJsonNumber("serial").longValueExact(),
                            bytes(k, "publicKey"), k.getString("fingerprint"),
                            k.getJsonNumber("createdAt").longValueExact(), bytes(k, "previousKeySignature"),
                            bytes(k, "keySignature")))
                    .toList();
        });
    }

    public JsonObject user(String username) {
        return get("user/" + encode(username));
    }

    public JsonObject history(String username, long after) {
        return get("user/" + encode(username) + "/history?after=" + after + "&limit=1000");
    }

    public JsonObject audit(long after, int limit) {
        return get("audit?after=" + after + "&limit=" + limit);
    }

    /** {@code GET /audit}, one page, read into the protocol's types; a malformed page is {@code bad_response}. */
    @Override
    public AuditPage auditPage(long after, int limit) {
        JsonObject page = audit(after, limit);
        return wellFormed(() -> new AuditPage(records(page), page.getJsonNumber("headSeq").longValueExact(),
                optionalLong(page, "nextAfter")));
    }

    /** {@code GET /user/{username}/history}, one page, read into the protocol's types. */
    @Override
    public HistoryView historyPage(String username, long after, int limit) {
        JsonObject page = get("user/" + encode(username) + "/history?after=" + after + "&limit=" + limit);
        return wellFormed(() -> new HistoryView(page.getString("username"),
                page.getJsonNumber("identityId").longValueExact(), records(page), optionalLong(page, "nextAfter")));
    }

    /**
     * Downloads the whole audit log and recomputes its hash chain (docs/protocol.md, "Verifying the log"); throws
     * {@link org.osms.protocol.AuditChain.BrokenChainException} at the first entry that does not fit.
     */
    public List<AuditRecord> verifiedAuditLog() {
        List<AuditRecord> all = new ArrayList<>();
        PublicLog.verify(this, all::add);
        return all;
    }

    private static List<AuditRecord> records(JsonObject page) {
        return page.getJsonArray("entries").stream().map(v -> record(v.asJsonObject())).toList();
    }

    private static AuditRecord record(JsonObject o) {
        AuditRecord r = new AuditRecord(o.getJsonNumber("seq").longValueExact(),
                o.getJsonNumber("recordedAt").longValueExact(), o.getJsonNumber("identityId").longValueExact(),
                o.getString("event"), o.getString("usernameBefore", null), o.getString("usernameAfter", null),
                o.getString("fingerprintBefore", null), o.getString("fingerprintAfter", null),
                bytes(o, "publicKeyBefore"), bytes(o, "publicKeyAfter"), bytes(o, "prevHash"), bytes(o, "hash"));
        if (r.prevHash() == null || r.prevHash().length != AuditRecord.HASH_LENGTH || r.hash() == null
                || r.hash().length != AuditRecord.HASH_LENGTH) {
            throw new IllegalArgumentException("an audit entry's hashes are 32 bytes");
        }
        return r;
    }

    private static Long optionalLong(JsonObject o, String name) {
        return o.containsKey(name) ? o.getJsonNumber(name).longValueExact() : null;
    }

    /** Reads a public document: whatever is missing, mistyped or out of range is the server's fault, not a crash. */
    private static <T> T wellFormed(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            throw new OsmsException(0, "bad_response", "The server sent a malformed public log page.");
        }
    }

    private static byte[] bytes(JsonObject o, String name) {
        return o.containsKey(name) ? Base64.getDecoder().decode(o.getString(name)) : null;
    }

    /** Logs in as {@code username}: the handshake must prove {@code key}, the server must prove {@code serverKey}. */
    public Session login(Username username, KeyPair key, OtrPublicKey serverKey) {
        return handshake(username, key, serverKey);
    }

    /**
     * Registers {@code username} for {@code key}: a registration conversation, proof of work, then {@code register}.
     * A puzzle this JVM cannot hold is refused ({@code puzzle_too_large}, see {@link #registrationThreads}) before
     * anything is spent on it. A refusal ends the conversation, which would otherwise hold one of its circuit's few
     * registration slots until it timed out.
     */
    public Session register(Username username, KeyPair key, OtrPublicKey serverKey) {
        Session session = registration(key, serverKey);
        try {
            int threads = registrationThreads(session.registrationPuzzle(), Runtime.getRuntime().maxMemory(),
                    Runtime.getRuntime().availableProcessors());
            Duration limit = registrationPuzzleTime;
            long deadline = System.nanoTime() + limit.toNanos();
            long counter = RegistrationPuzzle.solve(session.registrationPuzzle(), session.challenge(),
                    username.value(), OtrPublicKey.of(key.getPublic()).fingerprint().hex(), threads,
                    () -> System.nanoTime() - deadline > 0);
            if (counter < 0) {
                throw new OsmsException(0, "puzzle_too_hard", "The server asked for a registration puzzle of "
                        + session.registrationPuzzle().bits() + " bits that this client did not solve within "
                        + limit.toSeconds() + " s, by when the server has ended the conversation; nothing was"
                        + " registered. Try again later.");
            }
            session.command(JSON.createObjectBuilder().add("command", "register").add("username", username.value())
                    .add("counter", counter).build());
        } catch (OsmsException refused) {
            try {
                session.logout();
            } catch (RuntimeException logout) {
                refused.addSuppressed(logout);
            }
            throw refused;
        }
        return session;
    }

    /**
     * Bytes one Argon2id evaluation holds per KiB of its memory: the 1 KiB block, and BouncyCastle's Java objects
     * around it (a {@code long[128]} in an object of its own, and its slot in the array of blocks), with a margin.
     */
    static final long ARGON2_BYTES_PER_KIB = 1088;

    /**
     * How many threads search the registration puzzle {@code d}: one per processor, as many as half of
     * {@code maxMemory} (this JVM's heap, {@link Runtime#maxMemory}) holds evaluations of {@code d} at once; the
     * other half is left to the rest of the client and the garbage collector. The protocol lets a server ask up to
     * 4 GiB per evaluation (docs/protocol.md, "Registration puzzle"), and a hostile one would otherwise make the client
     * run out of memory; when not even one evaluation fits, the puzzle is refused ({@code puzzle_too_large}).
     */
    static int registrationThreads(RegistrationPuzzle.Difficulty d, long maxMemory, int processors) {
        long perThread = d.memoryKiB() * ARGON2_BYTES_PER_KIB;
        long budget = maxMemory / 2;
        long fit = budget / perThread;
        if (fit < 1) {
            throw new OsmsException(0, "puzzle_too_large", "The server's registration puzzle needs "
                    + perThread / (1024 * 1024) + " MiB of memory per attempt (powMemoryKiB " + d.memoryKiB()
                    + "), more than the " + budget / (1024 * 1024) + " MiB this client may use for it (half of its "
                    + "Java heap): nothing was registered. Run the client with a larger heap (java -Xmx…), or "
                    + "register elsewhere.");
        }
        return (int) Math.min(Math.max(processors, 1), fit);
    }

    /** Opens a registration conversation (no account named); its only command is {@code register}. */
    public Session registration(KeyPair key, OtrPublicKey serverKey) {
        return handshake(null, key, serverKey);
    }

    private Session handshake(Username username, KeyPair key, OtrPublicKey serverKey) {
        OtrConversation otr = new OtrConversation("client", "osms", key);
        Deque<String> outgoing;
        try {
            // the client starts the key exchange itself: two requests instead of three (docs/protocol.md)
            outgoing = new ArrayDeque<>(otr.startKeyExchange());
        } catch (OtrFailure e) {
            throw new OsmsException(0, "otr", e.getMessage());
        }
        String sessionId = null;
        for (int calls = 0; calls < MAX_HANDSHAKE_CALLS && !outgoing.isEmpty(); calls++) {
            String message = outgoing.removeFirst();
            HttpResponse<String> response = sessionId != null
                    ? send(post("create_session", message).header("OSMS-Session", sessionId))
                    : admitted(username, message);
            JsonObject answer = parse(response);
            sessionId = response.headers().firstValue("OSMS-Session").orElse(sessionId);
            try {
                for (String m : strings(answer)) {
                    outgoing.addAll(otr.receive(m).replies());
                }
            } catch (OtrFailure e) {
                throw new OsmsException(0, "otr", "The server sent an unreadable OTR message: " + e.getMessage());
            }
            if (answer.getBoolean("encrypted", false)) {
                if (!otr.isEncrypted()) {
                    throw new OsmsException(0, "otr", "The server says encrypted, this side does not agree.");
                }
                // compared with the pinned key, validated when it was parsed: a fingerprint is enough here
                Fingerprint proven = otr.remoteFingerprint().orElseThrow();
                if (!proven.equals(serverKey.fingerprint())) {
                    throw new OsmsException(0, "server_key_mismatch",
                            "The server proved key " + proven.human() + ", not the pinned "
                                    + serverKey.fingerprint().human() + ": refusing to continue.");
                }
                byte[] challenge = Base64.getDecoder().decode(answer.getString("challenge"));
                return new Session(sessionId, otr, challenge, username == null ? registrationPuzzle(answer) : null);
            }
        }
        throw new OsmsException(0, "otr", "The OTR handshake did not complete.");
    }

    /**
     * Bits of work beyond what an admission puzzle asks, declared in {@code OSMS-Puzzle-Effort} when found: when a
     * class is full, the server displaces conversations that paid the least beyond the price first (docs/protocol.md,
     * "Admission"), so a login or registration that searched a little longer outlasts a flood that pays only the price
     * asked. One bit doubles the search (about 0.1 s at the usual 16 bits), and is given up after twice its average
     * work, for the first answer of the price.
     */
    static final int EXTRA_EFFORT_BITS = 1;

    /**
     * The first {@code POST /create_session}: when the server answers {@code 429 puzzle_required} it solves the
     * admission puzzle and asks again (docs/protocol.md, "Admission"), a few times at most.
     */
    private HttpResponse<String> admitted(Username username, String query) {
        String token = null;
        long counter = 0;
        int effort = 0;
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder r = post("create_session", query);
            if (username != null) {
                r.header("OSMS-Username", username.value());
            }
            if (token != null) {
                r.header(AdmissionPuzzle.PUZZLE_HEADER, token)
                        .header(AdmissionPuzzle.COUNTER_HEADER, Long.toString(counter));
                if (effort > 0) {
                    r.header(AdmissionPuzzle.EFFORT_HEADER, Integer.toString(effort));
                }
            }
            HttpResponse<String> response = send(r);
            String next = response.headers().firstValue(AdmissionPuzzle.PUZZLE_HEADER).orElse(null);
            if (response.statusCode() != 429 || next == null || attempt >= MAX_PUZZLES) {
                return response;
            }
            int bits;
            try {
                bits = Integer.parseInt(response.headers().firstValue(AdmissionPuzzle.BITS_HEADER).orElse(""));
            } catch (NumberFormatException e) {
                return response;
            }
            if (bits < 0 || bits > AdmissionPuzzle.MAX_BITS) {
                return response;
            }
            token = next;
            Duration limit = admissionPuzzleTime;
            long deadline = System.nanoTime() + limit.toNanos();
            int wanted = Math.min(AdmissionPuzzle.MAX_BITS, bits + EXTRA_EFFORT_BITS);
            counter = AdmissionPuzzle.solve(token, bits, wanted, () -> System.nanoTime() - deadline > 0);
            // declared only when found: the server counts the declared bits, not an answer's luck
            effort = wanted > bits && counter >= 0 && AdmissionPuzzle.isSolved(token, counter, wanted) ? wanted : 0;
            if (counter < 0) {
                throw new OsmsException(0, "puzzle_too_hard", "The server asked for an admission puzzle of " + bits
                        + " bits that this client did not solve within the " + limit.toSeconds() + " s the server"
                        + " accepts an answer; nothing was sent. Try again later.");
            }
            puzzlesSolved.incrementAndGet();
        }
    }

    private static RegistrationPuzzle.Difficulty registrationPuzzle(JsonObject answer) {
        if (!RegistrationPuzzle.ALGORITHM.equals(answer.getString("powAlgorithm", ""))) {
            throw new OsmsException(0, "unknown_puzzle", "The server asks for a registration puzzle this client "
                    + "does not know.");
        }
        try {
            return new RegistrationPuzzle.Difficulty(answer.getInt("powMemoryKiB"), answer.getInt("powIterations"),
                    answer.getInt("powBits"));
        } catch (RuntimeException e) {
            throw new OsmsException(0, "bad_response", "The server's registration puzzle is malformed.");
        }
    }

    /** How many admission puzzles this client has solved (the server asks for them only when it is busy). */
    public long puzzlesSolved() {
        return puzzlesSolved.get();
    }

    /** A logged-in conversation. Not thread-safe. */
    public final class Session {
        private final String id;
        private final OtrConversation otr;
        private final byte[] challenge;
        private final RegistrationPuzzle.Difficulty registrationPuzzle;
        private long seq;
        private boolean ended;

        Session(String id, OtrConversation otr, byte[] challenge, RegistrationPuzzle.Difficulty registrationPuzzle) {
            this.id = id;
            this.otr = otr;
            this.challenge = challenge;
            this.registrationPuzzle = registrationPuzzle;
        }

        public String id() {
            return id;
        }

        /** The leading zero bits the registration puzzle of this conversation asks for (0 for a login). */
        public int powBits() {
            return registrationPuzzle == null ? 0 : registrationPuzzle.bits();
        }

        /** The registration puzzle the server set for this registration conversation (null for a login). */
        public RegistrationPuzzle.Difficulty registrationPuzzle() {
            return registrationPuzzle;
        }

        /** The conversation's challenge, which the proofs of work and of key possession are bound to. */
        public byte[] challenge() {
            return challenge.clone();
        }

        /**
         * Sends one command; returns the reply, or throws with the server's error code. A command refused
         * {@code busy} inside the channel did nothing (docs/protocol.md, "Commands") and is sent again, after a
         * second, at most {@link #MAX_RETRIES} times. One refused {@code unknown_outcome} may have been done, and is
         * never sent again here: the caller gets the error and checks first.
         */
        public JsonObject command(JsonObject command) {
            JsonObject reply = sendCommand(command);
            for (int retries = 0; retries < MAX_RETRIES && isBusy(reply); retries++) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OsmsException(0, "interrupted", "Interrupted.");
                }
                reply = sendCommand(command);
            }
            if (!reply.getBoolean("ok", false)) {
                throw new OsmsException(200, reply.getString("error", "error"), reply.getString("message", ""));
            }
            return reply;
        }

        private static boolean isBusy(JsonObject reply) {
            return !reply.getBoolean("ok", false) && "busy".equals(reply.getString("error", ""));
        }

        /** Sends one command and returns the reply as is, ok or not. */
        public JsonObject sendCommand(JsonObject command) {
            seq++;
            String plaintext = JSON.createObjectBuilder(command).add("seq", seq).build().toString();
            List<String> wire = encrypt(plaintext);
            return reply(postRaw("session", wire.get(wire.size() - 1)));
        }

        /** The command's reply that a {@code POST /session} answer carries (see {@link #postRaw}), decrypted. */
        public JsonObject reply(JsonObject answer) {
            ended = answer.getBoolean("ended", false);
            for (String m : strings(answer)) {
                try {
                    String reply = otr.receive(m).plaintext().orElse(null);
                    if (reply != null) {
                        try (JsonReader r = JSON.createReader(new StringReader(reply))) {
                            return r.readObject();
                        }
                    }
                } catch (OtrFailure e) {
                    throw new OsmsException(0, "otr", "The server's reply could not be read: " + e.getMessage());
                }
            }
            throw new OsmsException(0, "otr", "The server sent no reply.");
        }

        /** {@code send}: one OTR message of the caller's end-to-end conversation with {@code to}, into its mailbox. */
        public JsonObject sendTo(String to, String otrMessage) {
            return command(JSON.createObjectBuilder().add("command", "send").add("to", to).add("body", otrMessage)
                    .build());
        }

        /**
         * {@code fetch}: waiting messages numbered after {@code after}, oldest first; with {@code waitSeconds} &gt; 0
         * the server answers as soon as one arrives, or empty after that long (the long poll).
         */
        public JsonObject fetch(long after, int limit, int waitSeconds) {
            return command(JSON.createObjectBuilder().add("command", "fetch").add("after", after).add("limit", limit)
                    .add("wait", waitSeconds).build());
        }

        /** {@code ack}: deletes these messages from the caller's mailbox for good; returns how many there were. */
        public int ack(java.util.Collection<Long> ids) {
            JsonArrayBuilder a = JSON.createArrayBuilder();
            ids.forEach(a::add);
            return command(JSON.createObjectBuilder().add("command", "ack").add("ids", a).build()).getInt("acked");
        }

        public JsonObject block(String username) {
            return command(JSON.createObjectBuilder().add("command", "block").add("username", username).build());
        }

        public JsonObject unblock(String username) {
            return command(JSON.createObjectBuilder().add("command", "unblock").add("username", username).build());
        }

        /** {@code blocked}, every page: the whole block list, oldest first, as {@code blocked}. */
        public JsonObject blocked() {
            JsonArrayBuilder all = JSON.createArrayBuilder();
            long after = 0;
            while (true) {
                JsonObject page = blockedAfter(after);
                page.getJsonArray("blocked").forEach(all::add);
                if (!page.containsKey("nextAfter")) {
                    return JSON.createObjectBuilder().add("blocked", all).build();
                }
                long next = page.getJsonNumber("nextAfter").longValue();
                if (next <= after) {
                    // the server's paging would go round in circles: refuse it rather than loop and gather for ever
                    throw new OsmsException(0, "bad_response", "The server's block list does not move on.");
                }
                after = next;
            }
        }

        /** One page of {@code blocked}: the blocks after the time {@code after}. */
        public JsonObject blockedAfter(long after) {
            return command(JSON.createObjectBuilder().add("command", "blocked").add("after", after).build());
        }

        public JsonObject quota() {
            return command(JSON.createObjectBuilder().add("command", "quota").build());
        }

        /** {@code export}, every page: the paged parts of all pages gathered in one document. */
        public JsonObject export() {
            List<String> parts = List.of("audit", "messages", "usernames", "keys", "blocked");
            Map<String, JsonArrayBuilder> gathered = new LinkedHashMap<>();
            Map<String, Long> after = new LinkedHashMap<>();
            for (String part : parts) {
                gathered.put(part, JSON.createArrayBuilder());
                after.put(part, 0L);
            }
            while (true) {
                JsonObjectBuilder request = JSON.createObjectBuilder().add("command", "export");
                after.forEach((part, cursor) -> request.add(part + "After", cursor));
                JsonObject page = command(request.build());
                boolean more = false;
                boolean movedOn = false;
                for (String part : parts) {
                    // a part already complete comes back empty once its cursor is past its end
                    page.getJsonArray(part).forEach(gathered.get(part)::add);
                    String next = part + "NextAfter";
                    more |= page.containsKey(next);
                    long cursor = page.containsKey(next) ? page.getJsonNumber(next).longValue() : Long.MAX_VALUE;
                    movedOn |= cursor > after.get(part);
                    after.put(part, cursor);
                }
                if (more && !movedOn) {
                    // every page moves at least one part on (docs/protocol.md): refuse paging that goes round in circles
                    throw new OsmsException(0, "bad_response", "The server's export does not move on.");
                }
                if (!more) {
                    JsonObjectBuilder whole = JSON.createObjectBuilder(page);
                    whole.remove("seq");
                    whole.remove("ok");
                    gathered.forEach(whole::add);
                    return whole.build();
                }
            }
        }

        /** Encrypts without sending: what a network observer or a test sees on the wire. */
        public List<String> encrypt(String plaintext) {
            try {
                return otr.send(plaintext);
            } catch (OtrFailure e) {
                throw new OsmsException(0, "otr", e.getMessage());
            }
        }

        /** Posts one raw OTR message to an endpoint of this conversation. */
        public JsonObject postRaw(String endpoint, String message) {
            return parse(send(post(endpoint, message).header("OSMS-Session", id)));
        }

        public boolean ended() {
            return ended;
        }

        /** Logs out: sends the OTR disconnect message to {@code /terminate_session}. */
        public void logout() {
            if (ended) {
                return;
            }
            try {
                List<String> bye = otr.end();
                postRaw("terminate_session", bye.get(bye.size() - 1));
                ended = true;
            } catch (OtrFailure e) {
                throw new OsmsException(0, "otr", e.getMessage());
            }
        }
    }

    private JsonObject get(String path) {
        return parse(send(HttpRequest.newBuilder(base.resolve(path)).header("Accept", "application/json").GET()));
    }

    private HttpRequest.Builder post(String path, String otrMessage) {
        return HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(otrMessage, StandardCharsets.UTF_8));
    }

    /**
     * Sends a request; an answer that says the server did nothing with it for now ({@code 503 busy}, {@code 429
     * circuit_busy}: docs/protocol.md, "Errors") with a {@code Retry-After} of at most
     * {@link #MAX_RETRY_AFTER_SECONDS} is waited out and the same request sent again, at most {@link #MAX_RETRIES}
     * times. Sending it again is safe: the server answers these before it acts on the request.
     */
    private HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(120)).build();
        try {
            for (int retries = 0; ; retries++) {
                HttpResponse<String> response = transport.send(built);
                long wait = retryAfter(response);
                if (wait < 0 || wait > MAX_RETRY_AFTER_SECONDS || retries >= MAX_RETRIES) {
                    return response;
                }
                Thread.sleep(Math.max(1, wait) * 1000);
            }
        } catch (IOException e) {
            throw new OsmsException(0, "unreachable", "Cannot reach " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OsmsException(0, "interrupted", "Interrupted.");
        }
    }

    /** Retry-After's seconds for an answer that asks to come back later without having acted; -1 otherwise. */
    private static long retryAfter(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status != 503 && status != 429) {
            return -1;
        }
        long seconds = retryAfterHeader(response);
        if (seconds < 0) {
            return -1;
        }
        String code;
        try (JsonReader r = JSON.createReader(new StringReader(response.body()))) {
            code = r.readObject().getString("error", "");
        } catch (RuntimeException notAnErrorDocument) {
            return -1;
        }
        return code.equals("busy") || code.equals("circuit_busy") ? seconds : -1;
    }

    /** The answer's Retry-After in seconds (the delay form, at most six digits); -1 when it has none. */
    private static long retryAfterHeader(HttpResponse<String> response) {
        return response.headers().firstValue("Retry-After").filter(v -> v.matches("[0-9]{1,6}"))
                .map(Long::parseLong).orElse(-1L);
    }

    private static JsonObject parse(HttpResponse<String> response) {
        JsonObject body;
        try (JsonReader r = JSON.createReader(new StringReader(response.body()))) {
            body = r.readObject();
        } catch (RuntimeException e) {
            throw new OsmsException(response.statusCode(), "bad_response",
                    "The server answered " + response.statusCode() + " without a JSON document.");
        }
        if (response.statusCode() / 100 != 2) {
            long seconds = retryAfterHeader(response);
            String later = seconds < 0 ? "" : " Retry after " + seconds + " s.";
            throw new OsmsException(response.statusCode(), body.getString("error", "error"),
                    body.getString("message", "The server refused the request.") + later);
        }
        return body;
    }

    private static List<String> strings(JsonObject answer) {
        return answer.getJsonArray("messages").stream()
                .filter(v -> v.getValueType() == JsonValue.ValueType.STRING)
                .map(v -> ((jakarta.json.JsonString) v).getString()).toList();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
