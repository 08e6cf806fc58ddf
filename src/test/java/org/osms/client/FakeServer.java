package org.osms.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.osms.otr.OtrConversation;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.OtrPublicKey;

/**
 * Just enough of an OSMS server, on a local port, for the client library's messaging to run against it: OTR logins
 * (no puzzles, no key check at login unless {@link #checkKeysAtLogin}), {@code send}, {@code fetch} (no waiting),
 * {@code ack}, {@code replace-key} (no proof checked), {@code whoami}, {@code register} and {@code rename}, the directory and the public log of a {@link FakePublicLog}. Mailboxes are in memory. Not the real server: its rules are proven by the
 * integration tests; this one serves the client's own logic to unit tests.
 */
final class FakeServer implements AutoCloseable {
    record Stored(long id, String from, long fromIdentityId, String fingerprint, String body) {
    }

    private final HttpServer http;
    private final KeyPair serverKey = KeyStoreFiles.generate();
    private final Map<String, Login> logins = new HashMap<>();
    private final Map<String, List<Stored>> mailboxes = new HashMap<>();
    /** The directory now: name to key. */
    final Map<String, OtrPublicKey> directory = new HashMap<>();
    final Map<String, Long> identities = new HashMap<>();
    final FakePublicLog log = new FakePublicLog();
    /** Recipients whose {@code send}s are refused with {@code no_such_recipient} (as when nobody holds the name). */
    final Set<String> refusing = new HashSet<>();
    private long nextId = 1;
    /**
     * When set, the next command is refused with this error code and its conversation forgotten, as a server does
     * that ends a conversation (or loses it in a restart) while answering: the logout after it finds no conversation.
     */
    volatile String refuseNextCommandAndForget;
    /** When set, the next command finds its conversation gone, as after a restart of the server. */
    volatile boolean forgetAtNextCommand;
    /** When set, a login must prove the directory's key for its username, or is refused with {@code key_mismatch}. */
    volatile boolean checkKeysAtLogin;
    /**
     * When set, the next {@code POST /terminate_session} fails (500, its message holding terminal control sequences)
     * and ends nothing, as a lost connection would.
     */
    volatile boolean failNextTermination;
    /** When set, the next {@code replace-key} is carried out but its reply lost (500), as a dropped connection would. */
    volatile boolean loseNextReplaceKeyReply;
    /** How many of the next commands to refuse busy inside the channel, doing nothing (a database that timed out). */
    volatile int busyCommands;
    /** How many ids each {@code ack} the server took carried, in order. */
    final List<Integer> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The next this many {@code ack}s are answered {@code unknown_outcome}, undone (nothing acknowledged). */
    volatile int refusedAcks;
    /** When set, the next command is carried out but answered {@code unknown_outcome} (a commit that failed late). */
    volatile boolean doneButUnknownOutcome;
    /** When set, the next command is not carried out, and answered {@code unknown_outcome} all the same. */
    volatile boolean undoneButUnknownOutcome;
    /** {@code POST /terminate_session} requests received. */
    int terminations;
    /** The memory of the registration puzzle a registration conversation announces (no puzzle when 0). */
    volatile int registrationMemoryKiB;
    /** The registration puzzle's difficulty, when there is one. */
    volatile int registrationBits;
    /**
     * When positive, every first call is refused {@code 429 puzzle_required} with an admission puzzle of this many
     * bits; an answer is never checked (a server that only makes its clients work, as a hostile one could).
     */
    volatile int admissionBits;
    /**
     * With {@link #admissionBits}: the one puzzle this server issues, and admits an answer to (instead of refusing
     * every first call); {@link #admissionCounters} records the counters it was answered with.
     */
    volatile String admissionToken;
    final List<Long> admissionCounters = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The effort each admitted answer declared ({@code OSMS-Puzzle-Effort}), "" when none. */
    final List<String> admissionEfforts = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The commands received, by name. */
    final List<String> commands = new ArrayList<>();

    private static final class Login {
        final OtrConversation otr;
        String username;

        Login(OtrConversation otr) {
            this.otr = otr;
        }
    }

    FakeServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::handle);
        http.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    OtrPublicKey serverKey() {
        return OtrPublicKey.of(serverKey.getPublic());
    }

    /** Registers {@code name} with {@code key} in the directory and the log. */
    void register(String name, long identityId, KeyPair key) {
        OtrPublicKey k = OtrPublicKey.of(key.getPublic());
        directory.put(name, k);
        identities.put(name, identityId);
        log.registered(identityId, name, k.fingerprint().hex());
    }

    /** {@code name} replaces its key (directory and log), as {@code replace-key} does. */
    void replaceKey(String name, KeyPair next) {
        replaceKey(name, OtrPublicKey.of(next.getPublic()));
    }

    private void replaceKey(String name, OtrPublicKey after) {
        OtrPublicKey before = directory.get(name);
        directory.put(name, after);
        log.replaced(identities.get(name), name, before.fingerprint().hex(), after.fingerprint().hex());
    }

    List<Stored> mailbox(String name) {
        return mailboxes.computeIfAbsent(name, k -> new ArrayList<>());
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (path.equals("/pk")) {
                answer(ex, 200, Json.createObjectBuilder().add("publicKey", b64(serverKey().serialized()))
                        .add("fingerprint", serverKey().fingerprint().hex()).add("createdAt", 1).build(), null);
            } else if (path.equals("/create_session")) {
                createSession(ex, body);
            } else if (path.equals("/session")) {
                command(ex, body);
            } else if (path.equals("/terminate_session")) {
                terminations++;
                if (failNextTermination) {
                    failNextTermination = false;
                    // with what a hostile server would put in its message: terminal control sequences
                    answer(ex, 500, Json.createObjectBuilder().add("error", "internal_error")
                            .add("message", "Failed.\u001b[2J\u001b]0;owned\u0007").build(), null);
                } else if (logins.remove(ex.getRequestHeaders().getFirst("OSMS-Session")) == null) {
                    answer(ex, 404, error("unknown_session"), null);
                } else {
                    answer(ex, 200, Json.createObjectBuilder().add("ended", true).build(), null);
                }
            } else if (path.equals("/audit")) {
                var page = log.auditPage(param(query, "after"), (int) param(query, "limit"));
                JsonObjectBuilder b = Json.createObjectBuilder().add("entries", entries(page.entries()))
                        .add("headSeq", page.headSeq());
                if (page.nextAfter() != null) {
                    b.add("nextAfter", page.nextAfter());
                }
                answer(ex, 200, b.build(), null);
            } else if (path.startsWith("/user/") && path.endsWith("/history")) {
                String name = path.substring("/user/".length(), path.length() - "/history".length());
                var page = log.historyPage(name, param(query, "after"), (int) param(query, "limit"));
                JsonObjectBuilder b = Json.createObjectBuilder().add("username", name)
                        .add("identityId", page.identityId()).add("entries", entries(page.entries()));
                if (page.nextAfter() != null) {
                    b.add("nextAfter", page.nextAfter());
                }
                answer(ex, 200, b.build(), null);
            } else if (path.startsWith("/user/")) {
                String name = path.substring("/user/".length());
                OtrPublicKey key = directory.get(name);
                if (key == null) {
                    answer(ex, 404, error("unknown_user"), null);
                } else {
                    answer(ex, 200, Json.createObjectBuilder().add("username", name).add("status", "active")
                            .add("publicKey", b64(key.serialized())).add("fingerprint", key.fingerprint().hex())
                            .build(), null);
                }
            } else {
                answer(ex, 404, error("not_found"), null);
            }
        } catch (OsmsException e) {
            answer(ex, e.status(), error(e.code()), null);
        } catch (Exception e) {
            answer(ex, 500, error("internal_error"), null);
        }
    }

    private void createSession(HttpExchange ex, String body) throws Exception {
        String id = ex.getRequestHeaders().getFirst("OSMS-Session");
        Login login;
        String answered = ex.getRequestHeaders().getFirst("OSMS-Puzzle-Counter");
        String token = ex.getRequestHeaders().getFirst("OSMS-Puzzle");
        if (id == null && admissionToken != null && admissionToken.equals(token) && answered != null
                && org.osms.protocol.AdmissionPuzzle.isSolved(token, Long.parseLong(answered), admissionBits)) {
            admissionCounters.add(Long.parseLong(answered));
            String effort = ex.getRequestHeaders().getFirst("OSMS-Puzzle-Effort");
            admissionEfforts.add(effort == null ? "" : effort);
        } else if (id == null && admissionBits > 0) {
            ex.getResponseHeaders().add("OSMS-Puzzle", admissionToken != null ? admissionToken
                    : "token." + UUID.randomUUID());
            ex.getResponseHeaders().add("OSMS-Puzzle-Bits", Integer.toString(admissionBits));
            answer(ex, 429, error("puzzle_required"), null);
            return;
        }
        if (id == null) {
            id = UUID.randomUUID().toString();
            login = new Login(new OtrConversation("osms", "client", serverKey));
            login.username = ex.getRequestHeaders().getFirst("OSMS-Username");
            logins.put(id, login);
        } else {
            login = logins.get(id);
        }
        if (login == null) {
            answer(ex, 404, error("unknown_session"), null);
            return;
        }
        OtrConversation.Received r = login.otr.receive(body);
        JsonObjectBuilder b = Json.createObjectBuilder().add("messages", strings(r.replies()))
                .add("encrypted", login.otr.isEncrypted());
        if (login.otr.isEncrypted() && checkKeysAtLogin && login.username != null
                && !directory.containsKey(login.username)) {
            logins.remove(id);
            answer(ex, 403, error("unknown_user"), null);
            return;
        }
        if (login.otr.isEncrypted() && checkKeysAtLogin && login.username != null
                && !login.otr.remoteFingerprint().orElseThrow().equals(directory.get(login.username).fingerprint())) {
            logins.remove(id);
            answer(ex, 403, error("key_mismatch"), null);
            return;
        }
        if (login.otr.isEncrypted()) {
            b.add("challenge", b64(new byte[32]));
            if (login.username == null && registrationMemoryKiB > 0) {
                b.add("powAlgorithm", "argon2id").add("powBits", registrationBits).add("powMemoryKiB", registrationMemoryKiB)
                        .add("powIterations", 1);
            }
        }
        answer(ex, 200, b.build(), id);
    }

    private void command(HttpExchange ex, String body) throws Exception {
        if (forgetAtNextCommand) {
            forgetAtNextCommand = false;
            logins.clear();
        }
        Login login = logins.get(ex.getRequestHeaders().getFirst("OSMS-Session"));
        if (login == null) {
            answer(ex, 404, error("unknown_session"), null);
            return;
        }
        String plain = login.otr.receive(body).plaintext().orElseThrow();
        JsonObject c;
        try (JsonReader r = Json.createReader(new StringReader(plain))) {
            c = r.readObject();
        }
        JsonObjectBuilder reply = Json.createObjectBuilder().add("seq", c.getInt("seq"));
        String refusal = refuseNextCommandAndForget;
        if (refusal != null) {
            refuseNextCommandAndForget = null;
            logins.remove(ex.getRequestHeaders().getFirst("OSMS-Session"));
            reply.add("ok", false).add("error", refusal).add("message", "Refused.");
            List<String> wire = login.otr.send(reply.build().toString());
            answer(ex, 200, Json.createObjectBuilder().add("messages", strings(wire)).add("ended", false).build(),
                    null);
            return;
        }
        commands.add(c.getString("command"));
        if (undoneButUnknownOutcome) {
            undoneButUnknownOutcome = false;
            reply.add("ok", false).add("error", "unknown_outcome").add("message", "May or may not have been done.");
            List<String> wire = login.otr.send(reply.build().toString());
            answer(ex, 200, Json.createObjectBuilder().add("messages", strings(wire)).add("ended", false).build(),
                    null);
            return;
        }
        if (busyCommands > 0) {
            busyCommands--;
            reply.add("ok", false).add("error", "busy").add("message", "Busy; nothing was done.");
            List<String> wire = login.otr.send(reply.build().toString());
            answer(ex, 200, Json.createObjectBuilder().add("messages", strings(wire)).add("ended", false).build(),
                    null);
            return;
        }
        switch (c.getString("command")) {
            case "send" -> {
                String to = c.getString("to");
                if (refusing.contains(to)) {
                    reply.add("ok", false).add("error", "no_such_recipient").add("message", "No.");
                } else {
                    mailbox(to).add(new Stored(nextId++, login.username, identities.get(login.username),
                            login.otr.remoteKey().orElseThrow().fingerprint().hex(), c.getString("body")));
                    reply.add("ok", true).add("to", to);
                }
            }
            case "fetch" -> {
                long after = c.getJsonNumber("after").longValue();
                int limit = c.containsKey("limit") ? c.getInt("limit") : 100;
                JsonArrayBuilder messages = Json.createArrayBuilder();
                int given = 0;
                for (Stored s : mailbox(login.username)) {
                    if (s.id() > after && given++ < limit) {
                        messages.add(Json.createObjectBuilder().add("id", s.id()).add("from", s.from())
                                .add("fromIdentityId", s.fromIdentityId()).add("fingerprint", s.fingerprint())
                                .add("receivedAt", 1).add("body", s.body()));
                    }
                }
                reply.add("ok", true).add("messages", messages);
            }
            case "ack" -> {
                if (refusedAcks > 0) {
                    refusedAcks--;
                    reply.add("ok", false).add("error", "unknown_outcome").add("message", "May or may not have been done.");
                    break;
                }
                if (c.getJsonArray("ids").isEmpty() || c.getJsonArray("ids").size() > 1000) {
                    reply.add("ok", false).add("error", "bad_command").add("message", "1 to 1000 ids.");
                    break;
                }
                acks.add(c.getJsonArray("ids").size());
                Set<Long> ids = new HashSet<>();
                c.getJsonArray("ids").forEach(v -> ids.add(((jakarta.json.JsonNumber) v).longValue()));
                int before = mailbox(login.username).size();
                mailbox(login.username).removeIf(s -> ids.contains(s.id()));
                reply.add("ok", true).add("acked", before - mailbox(login.username).size());
            }
            case "block" -> {
                String who = c.getString("username");
                int before = mailbox(login.username).size();
                mailbox(login.username).removeIf(m -> m.from().equals(who));
                reply.add("ok", true).add("username", who).add("identityId", identities.get(who))
                        .add("discarded", before - mailbox(login.username).size());
            }
            // paging that never moves on, as a misbehaving server could answer: a client must not follow it for ever
            case "blocked" -> reply.add("ok", true)
                    .add("blocked", Json.createArrayBuilder().add(Json.createObjectBuilder()
                            .add("username", "someone").add("blockedAt", 1)))
                    .add("nextAfter", c.getJsonNumber("after").longValue());
            case "export" -> {
                reply.add("ok", true).add("identity", Json.createObjectBuilder().add("username", login.username));
                for (String part : List.of("audit", "messages", "usernames", "keys", "blocked")) {
                    reply.add(part, Json.createArrayBuilder());
                }
                reply.add("auditNextAfter", c.getJsonNumber("auditAfter").longValue());
            }
            case "whoami" -> describe(login.username, reply);
            case "register" -> {
                String name = c.getString("username");
                OtrPublicKey key = login.otr.remoteKey().orElseThrow();
                directory.put(name, key);
                identities.put(name, 1000L + identities.size());
                log.registered(identities.get(name), name, key.fingerprint().hex());
                login.username = name;
                describe(name, reply);
            }
            case "rename" -> {
                String to = c.getString("username");
                directory.put(to, directory.remove(login.username));
                identities.put(to, identities.remove(login.username));
                login.username = to;
                describe(to, reply);
            }
            case "replace-key" -> {
                OtrPublicKey next = OtrPublicKey.parse(Base64.getDecoder().decode(c.getString("publicKey")));
                replaceKey(login.username, next);
                if (loseNextReplaceKeyReply) {
                    loseNextReplaceKeyReply = false;
                    answer(ex, 500, error("internal_error"), null);
                    return;
                }
                reply.add("ok", true).add("identityId", identities.get(login.username))
                        .add("username", login.username).add("status", "active")
                        .add("fingerprint", next.fingerprint().hex());
            }
            default -> reply.add("ok", false).add("error", "unknown_command").add("message", "?");
        }
        if (doneButUnknownOutcome) {
            doneButUnknownOutcome = false;
            reply = Json.createObjectBuilder().add("seq", c.getInt("seq")).add("ok", false)
                    .add("error", "unknown_outcome").add("message", "May or may not have been done.");
        }
        List<String> wire = login.otr.send(reply.build().toString());
        answer(ex, 200, Json.createObjectBuilder().add("messages", strings(wire)).add("ended", false).build(), null);
    }

    private void describe(String name, JsonObjectBuilder reply) {
        reply.add("ok", true).add("identityId", identities.get(name)).add("username", name).add("status", "active")
                .add("fingerprint", directory.get(name).fingerprint().hex());
    }

    private static long param(String query, String name) {
        for (String p : query.split("&")) {
            if (p.startsWith(name + "=")) {
                return Long.parseLong(p.substring(name.length() + 1));
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static JsonArrayBuilder entries(List<AuditRecord> entries) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        for (AuditRecord e : entries) {
            JsonObjectBuilder b = Json.createObjectBuilder().add("seq", e.seq()).add("recordedAt", e.recordedAt())
                    .add("identityId", e.identityId()).add("event", e.event())
                    .add("prevHash", b64(e.prevHash())).add("hash", b64(e.hash()));
            optional(b, "usernameBefore", e.usernameBefore());
            optional(b, "usernameAfter", e.usernameAfter());
            optional(b, "fingerprintBefore", e.fingerprintBefore());
            optional(b, "fingerprintAfter", e.fingerprintAfter());
            optional(b, "publicKeyBefore", e.publicKeyBefore() == null ? null : b64(e.publicKeyBefore()));
            optional(b, "publicKeyAfter", e.publicKeyAfter() == null ? null : b64(e.publicKeyAfter()));
            a.add(b);
        }
        return a;
    }

    private static void optional(JsonObjectBuilder b, String name, String value) {
        if (value != null) {
            b.add(name, value);
        }
    }

    private static JsonArrayBuilder strings(List<String> values) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        values.forEach(a::add);
        return a;
    }

    private static JsonObject error(String code) {
        return Json.createObjectBuilder().add("error", code).add("message", "Refused.").build();
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static void answer(HttpExchange ex, int status, JsonObject body, String session) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (session != null) {
            ex.getResponseHeaders().add("OSMS-Session", session);
        }
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }
}
