package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Http;
import org.osms.it.NeverLogged;
import org.osms.otr.OtrConversation;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;

/** Logins end to end over HTTP, with the reference client against the deployed WAR. */
class SessionIT {
    private final Http http = Http.fromSystemProperty();
    private final OsmsClient client = new OsmsClient(URI.create(http.base()));
    private final OtrPublicKey serverKey = client.serverKey();

    private static Username fresh(String prefix) {
        Username name = Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        NeverLogged.record(name.value());
        return name;
    }

    private static JsonObject cmd(String name) {
        return Json.createObjectBuilder().add("command", name).build();
    }

    private OsmsClient.Session registered(Username name, KeyPair key) {
        return client.register(name, key, serverKey);
    }

    @Test
    void registerLoginRenameRotateAndLogout() {
        Username name = fresh("life");
        KeyPair oldKey = KeyStoreFiles.generate();
        OsmsClient.Session registration = registered(name, oldKey);
        registration.logout();

        OsmsClient.Session s = client.login(name, oldKey, serverKey);
        assertEquals(name.value(), s.command(cmd("whoami")).getString("username"));
        Username renamed = fresh("renamed");
        assertEquals(renamed.value(), s.command(Json.createObjectBuilder().add("command", "rename")
                .add("username", renamed.value()).build()).getString("username"));

        KeyPair newKey = KeyStoreFiles.generate();
        OtrPublicKey newPublic = OtrPublicKey.of(newKey.getPublic());
        JsonObject rotated = s.command(replaceKey(newPublic,
                SessionProofs.signKeyReplacement(s.challenge(), newPublic, newKey.getPrivate())));
        assertEquals(newPublic.fingerprint().hex(), rotated.getString("fingerprint"));
        String deadId = s.id();
        s.logout();

        OsmsException old = assertThrows(OsmsException.class, () -> client.login(renamed, oldKey, serverKey));
        assertEquals(403, old.status());
        assertEquals("key_mismatch", old.code());
        OsmsClient.Session again = client.login(renamed, newKey, serverKey);
        assertEquals(renamed.value(), again.command(cmd("whoami")).getString("username"));
        again.logout();

        Http.Answer dead = http.send(HttpRequest.newBuilder(http.uri("/session")).header("OSMS-Session", deadId)
                .POST(HttpRequest.BodyPublishers.ofString("?OTR:AAMD.")));
        assertEquals(404, dead.status());
        assertEquals("unknown_session", dead.error());

        // That no server log carries these names, ids and fingerprints is checked after the whole suite: ServerLogsIT.
    }

    @Test
    void aKeyReplacementWithoutProofOfPossessionChangesNothing() {
        Username name = fresh("proof");
        KeyPair key = KeyStoreFiles.generate();
        OsmsClient.Session s = registered(name, key);
        KeyPair someoneElses = KeyStoreFiles.generate();
        OtrPublicKey theirs = OtrPublicKey.of(someoneElses.getPublic());
        OsmsException e = assertThrows(OsmsException.class, () -> s.command(replaceKey(theirs,
                SessionProofs.signKeyReplacement(new byte[32], theirs, someoneElses.getPrivate()))));
        assertEquals("bad_key_proof", e.code());
        assertEquals(OtrPublicKey.of(key.getPublic()).fingerprint().hex(),
                s.command(cmd("whoami")).getString("fingerprint"));
        s.logout();
    }

    /**
     * A replace-key is checked before the identity is locked, cheapest first; a conversation that had three refused
     * answers rate_limited to every later one without looking at it, even with a right proof. Another conversation of
     * the same identity (its owner's, say, while a thief's fails on purpose) replaces the key as before: one
     * conversation's refusals cost nobody else anything.
     */
    @Test
    void aConversationWithThreeRefusedKeyReplacementsIsRateLimitedAndNoOtherIs() {
        Username name = fresh("keycheck");
        KeyPair key = KeyStoreFiles.generate();
        registered(name, key).logout();
        OsmsClient.Session thief = client.login(name, key, serverKey);
        OsmsClient.Session owner = client.login(name, key, serverKey);
        KeyPair newKey = KeyStoreFiles.generate();
        OtrPublicKey newPublic = OtrPublicKey.of(newKey.getPublic());
        long head = http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue();
        JsonObject wrongProof = replaceKey(newPublic, SessionProofs.signKeyReplacement(new byte[32], newPublic,
                newKey.getPrivate()));
        JsonObject ownKey = replaceKey(OtrPublicKey.of(key.getPublic()), SessionProofs.signKeyReplacement(
                thief.challenge(), OtrPublicKey.of(key.getPublic()), key.getPrivate()));
        JsonObject garbage = Json.createObjectBuilder().add("command", "replace-key").add("publicKey", "AAAA")
                .add("signature", "AAAA").build();
        assertEquals("bad_key_proof", assertThrows(OsmsException.class, () -> thief.command(wrongProof)).code());
        assertEquals("no_change", assertThrows(OsmsException.class, () -> thief.command(ownKey)).code());
        assertEquals("bad_public_key", assertThrows(OsmsException.class, () -> thief.command(garbage)).code());
        JsonObject rightProof = replaceKey(newPublic, SessionProofs.signKeyReplacement(thief.challenge(), newPublic,
                newKey.getPrivate()));
        assertEquals("rate_limited", assertThrows(OsmsException.class, () -> thief.command(rightProof)).code());
        assertEquals(OtrPublicKey.of(key.getPublic()).fingerprint().hex(),
                thief.command(cmd("whoami")).getString("fingerprint"), "the key is unchanged");
        assertEquals(head, http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue(), "nothing logged");

        assertEquals(newPublic.fingerprint().hex(), owner.command(replaceKey(newPublic,
                SessionProofs.signKeyReplacement(owner.challenge(), newPublic, newKey.getPrivate())))
                .getString("fingerprint"), "the other conversation replaces the key");
        owner.logout();
        OsmsException gone = assertThrows(OsmsException.class, () -> thief.command(cmd("whoami")));
        assertEquals("unknown_session", gone.code(), "and the conversation of the old key ends");
    }

    private static JsonObject replaceKey(OtrPublicKey newKey, byte[] signature) {
        return Json.createObjectBuilder().add("command", "replace-key")
                .add("publicKey", Base64.getEncoder().encodeToString(newKey.serialized()))
                .add("signature", Base64.getEncoder().encodeToString(signature)).build();
    }

    /**
     * The raw handshake, so the test holds the session id the client library would hide, the client's side of the
     * conversation and how many requests it took.
     */
    private record Raw(String sessionId, Http.Answer last, OtrConversation otr, int requests) {
    }

    private Raw rawHandshake(Username claimed, KeyPair key) {
        return rawHandshake(claimed, key, false);
    }

    /** {@code clientStarts}: the client sends its own D-H Commit first; otherwise it sends the OTR query. */
    private Raw rawHandshake(Username claimed, KeyPair key, boolean clientStarts) {
        NeverLogged.record(OtrPublicKey.fingerprintOf(key.getPublic()).hex());
        OtrConversation otr = new OtrConversation("client", "osms", key);
        List<String> outgoing;
        try {
            outgoing = new ArrayList<>(clientStarts ? otr.startKeyExchange() : otr.start());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        String id = null;
        Http.Answer answer = null;
        int requests = 0;
        for (int i = 0; i < 10 && !outgoing.isEmpty(); i++) {
            HttpRequest.Builder r = HttpRequest.newBuilder(http.uri("/create_session"))
                    .POST(HttpRequest.BodyPublishers.ofString(outgoing.remove(0)));
            if (id != null) {
                r.header("OSMS-Session", id);
            } else if (claimed != null) {
                r.header("OSMS-Username", claimed.value());
            }
            var response = sendRaw(r);
            requests++;
            id = response.headers().firstValue("OSMS-Session").orElse(id);
            answer = new Http.Answer(response.statusCode(), "", response.body());
            if (answer.status() != 200) {
                return new Raw(id, answer, otr, requests);
            }
            try {
                for (var m : answer.json().getJsonArray("messages")) {
                    outgoing.addAll(otr.receive(((jakarta.json.JsonString) m).getString()).replies());
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return new Raw(id, answer, otr, requests);
    }

    private java.net.http.HttpResponse<String> sendRaw(HttpRequest.Builder r) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(r.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** {@code whoami} over a raw conversation: the identity the server says this conversation acts for. */
    private JsonObject rawWhoami(Raw raw) throws Exception {
        Http.Answer answer = rawCommand(raw, Json.createObjectBuilder().add("seq", 1).add("command", "whoami").build());
        assertEquals(200, answer.status(), answer.body());
        String reply = raw.otr().receive(answer.json().getJsonArray("messages").getString(0)).plaintext()
                .orElseThrow();
        return Json.createReader(new java.io.StringReader(reply)).readObject();
    }

    /** One command over a raw conversation, as sent: the server's answer, not yet decrypted. */
    private Http.Answer rawCommand(Raw raw, JsonObject command) throws Exception {
        return http.send(HttpRequest.newBuilder(http.uri("/session")).header("OSMS-Session", raw.sessionId())
                .POST(HttpRequest.BodyPublishers.ofString(raw.otr().send(command.toString()).get(0))));
    }

    /**
     * A DSA key whose q is not prime (the product of two 80-bit primes) but passes every other check: p is a prime
     * of 1024 bits with q dividing p - 1, so g and y lie in a subgroup of order q, and signatures made with it verify.
     * Only the primality test tells it from a key OSMS accepts.
     */
    private static KeyPair compositeQKey() throws Exception {
        java.security.SecureRandom random = new java.security.SecureRandom();
        BigInteger q;
        do {
            q = BigInteger.probablePrime(80, random).multiply(BigInteger.probablePrime(80, random));
        } while (q.bitLength() != 160);
        return org.osms.protocol.DsaKeys.inSubgroup(q, 1024);
    }

    /**
     * A registration's key is tested for primality only once its puzzle is solved: the handshake with a key whose q
     * is not prime completes (it costs the server no primality test, so repeating it costs the server little),
     * and register, with the right answer, refuses the key, ends the conversation and stores nothing.
     */
    @Test
    void aRegistrationKeyIsTestedForPrimalityOnlyWhenItsPuzzleIsSolved() throws Exception {
        KeyPair key = compositeQKey();
        assertThrows(org.osms.protocol.ProtocolException.class, () -> OtrPublicKey.of(key.getPublic()),
                "the key is refused by the full validation");
        Raw raw = rawHandshake(null, key);
        assertEquals(200, raw.last().status(), raw.last().body());
        JsonObject done = raw.last().json();
        assertTrue(done.getBoolean("encrypted"));
        Username name = fresh("composite");
        long counter = org.osms.protocol.RegistrationPuzzle.solve(new org.osms.protocol.RegistrationPuzzle.Difficulty(
                done.getInt("powMemoryKiB"), done.getInt("powIterations"), done.getInt("powBits")),
                Base64.getDecoder().decode(done.getString("challenge")), name.value(),
                OtrPublicKey.fingerprintOf(key.getPublic()).hex(), 2);
        Http.Answer refused = rawCommand(raw, Json.createObjectBuilder().add("seq", 1).add("command", "register")
                .add("username", name.value()).add("counter", counter).build());
        assertEquals(200, refused.status(), refused.body());
        assertTrue(refused.json().getBoolean("ended"), "the conversation ends with the refusal");
        JsonObject reply = Json.createReader(new java.io.StringReader(raw.otr().receive(
                refused.json().getJsonArray("messages").getString(0)).plaintext().orElseThrow())).readObject();
        assertFalse(reply.getBoolean("ok"), reply.toString());
        assertEquals("bad_public_key", reply.getString("error"));
        Http.Answer after = rawCommand(raw, Json.createObjectBuilder().add("seq", 2).add("command", "whoami").build());
        assertEquals(404, after.status(), "the conversation ended: " + after.body());
        assertEquals(404, http.send(HttpRequest.newBuilder(http.uri("/user/" + name.value())).GET()).status(),
                "nothing was registered");
    }

    /** A raw conversation of a registered user after its first answer: the session id and the client's side. */
    private record Started(String sessionId, OtrConversation otr, String query, Http.Answer first) {

        /** The client's reply to the server's handshake message in {@code answer}. */
        String replyTo(Http.Answer answer) throws Exception {
            return otr.receive(answer.json().getJsonArray("messages").getString(0)).replies().get(0);
        }
    }

    /** Registers a fresh user (its name begins {@code prefix}) and starts a raw conversation for it with the query. */
    private Started startRaw(String prefix) throws Exception {
        Username user = fresh(prefix);
        KeyPair key = KeyStoreFiles.generate();
        registered(user, key).logout();
        OtrConversation otr = new OtrConversation("client", "osms", key);
        String query = otr.start().get(0);
        var started = sendRaw(HttpRequest.newBuilder(http.uri("/create_session"))
                .header("OSMS-Username", user.value()).POST(HttpRequest.BodyPublishers.ofString(query)));
        assertEquals(200, started.statusCode(), started.body());
        return new Started(started.headers().firstValue("OSMS-Session").orElseThrow(), otr, query,
                new Http.Answer(started.statusCode(), "", started.body()));
    }

    /** One handshake message posted to a conversation that has a session id. */
    private Http.Answer handshakeMessage(String sessionId, String message) {
        return http.send(HttpRequest.newBuilder(http.uri("/create_session")).header("OSMS-Session", sessionId)
                .POST(HttpRequest.BodyPublishers.ofString(message)));
    }

    /**
     * The Signature message, the one that completes the handshake, costs the server a DSA signature check: one that
     * fails (here its MAC is broken) ends the conversation, so that nobody can make the server check signatures
     * over and over in one conversation for the price of an HMAC each.
     */
    @Test
    void aSignatureMessageThatFailsEndsTheConversation() throws Exception {
        Started raw = startRaw("sigonce");
        Http.Answer reveal = handshakeMessage(raw.sessionId(), raw.replyTo(raw.first()));
        assertEquals(200, reveal.status(), reveal.body());
        String signature = raw.replyTo(reveal);
        byte[] bytes = Base64.getDecoder().decode(signature.substring(5, signature.length() - 1));
        bytes[bytes.length - 1] ^= 1; // the MAC's last byte
        String broken = "?OTR:" + Base64.getEncoder().encodeToString(bytes) + ".";

        Http.Answer failed = handshakeMessage(raw.sessionId(), broken);
        assertEquals(403, failed.status(), failed.body());
        assertEquals("handshake_failed", failed.error());
        Http.Answer genuine = handshakeMessage(raw.sessionId(), signature);
        assertEquals(404, genuine.status(), "no second try, not even with the right signature: " + genuine.body());
        assertEquals("unknown_session", genuine.error());
    }

    /**
     * A handshake message costs the server a D-H exponentiation or a signature, so one conversation gets four of them
     * answered (two that OTR v3 needs, each once more): the fifth query is refused 403 handshake_failed and the
     * conversation is gone.
     */
    @Test
    void aConversationGetsFourHandshakeMessagesAnsweredAndNoMore() throws Exception {
        Started raw = startRaw("akeflood");
        for (int i = 2; i <= 4; i++) {
            Http.Answer again = handshakeMessage(raw.sessionId(), raw.query());
            assertEquals(200, again.status(), "query " + i + ": " + again.body());
            assertEquals(1, again.json().getJsonArray("messages").size(), "a new D-H Commit: " + again.body());
        }
        Http.Answer fifth = handshakeMessage(raw.sessionId(), raw.query());
        assertEquals(403, fifth.status(), fifth.body());
        assertEquals("handshake_failed", fifth.error());
        Http.Answer after = handshakeMessage(raw.sessionId(), raw.query());
        assertEquals(404, after.status(), after.body());
        assertEquals("unknown_session", after.error());
    }

    /** A client that sent its query twice (its first answer lost) still completes the handshake and logs in. */
    @Test
    void aHandshakeWithARepeatedQueryStillCompletes() throws Exception {
        Started raw = startRaw("akeretry");
        Http.Answer commit = handshakeMessage(raw.sessionId(), raw.query());
        assertEquals(200, commit.status(), commit.body());
        completesFrom(raw, commit);
    }

    /**
     * Handshake messages refused 400 cost the server no exponentiation and are not counted against the four: after
     * six of them (an OTR version the server does not speak, and messages that do not parse) the handshake still
     * completes.
     */
    @Test
    void handshakeMessagesRefusedAsBadAreNotCountedAgainstTheFour() throws Exception {
        Started raw = startRaw("akebad");
        for (String bad : List.of("?OTRv2?", "?OTR:AAMK.", "?OTRv2?", "?OTR:AAMK.", "?OTRv2?", "?OTR:AAMK.")) {
            Http.Answer refused = handshakeMessage(raw.sessionId(), bad);
            assertEquals(400, refused.status(), bad + ": " + refused.body());
            assertEquals("bad_otr_message", refused.error(), bad);
        }
        completesFrom(raw, raw.first());
    }

    /** Completes a raw handshake whose latest answer (a D-H Commit) is {@code commit}: D-H Key, then Signature. */
    private void completesFrom(Started raw, Http.Answer commit) throws Exception {
        Http.Answer reveal = handshakeMessage(raw.sessionId(), raw.replyTo(commit));
        assertEquals(200, reveal.status(), reveal.body());
        Http.Answer done = handshakeMessage(raw.sessionId(), raw.replyTo(reveal));
        assertEquals(200, done.status(), done.body());
        assertTrue(done.json().getBoolean("encrypted"), done.body());
    }

    /**
     * A disconnect sent to /session instead of /terminate_session ends the conversation too: before, it stayed
     * registered, finished, and a handshake sent to it later crashed its bean (500 and a stack trace in the log).
     */
    @Test
    void aDisconnectSentAsACommandEndsTheConversation() throws Exception {
        Username alice = fresh("bye");
        KeyPair key = KeyStoreFiles.generate();
        registered(alice, key).logout();
        Raw login = rawHandshake(alice, key);
        assertTrue(login.otr().isEncrypted());
        List<String> bye = login.otr().end();
        Http.Answer ended = http.send(HttpRequest.newBuilder(http.uri("/session"))
                .header("OSMS-Session", login.sessionId())
                .POST(HttpRequest.BodyPublishers.ofString(bye.get(bye.size() - 1))));
        assertEquals(200, ended.status(), ended.body());
        assertTrue(ended.json().getBoolean("ended"));
        assertEquals(0, ended.json().getJsonArray("messages").size());
        OtrConversation again = new OtrConversation("client", "osms", key);
        Http.Answer handshake = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .header("OSMS-Session", login.sessionId())
                .POST(HttpRequest.BodyPublishers.ofString(again.startKeyExchange().get(0))));
        assertEquals(404, handshake.status(), handshake.body());
        assertEquals("unknown_session", handshake.error());
    }

    @ParameterizedTest(name = "the client starts the key exchange itself: {0}")
    @ValueSource(booleans = {false, true})
    void eitherSideMayStartTheKeyExchangeAndTheLoginIsTheSame(boolean clientStarts) throws Exception {
        Username alice = fresh("either");
        KeyPair key = KeyStoreFiles.generate();
        registered(alice, key).logout();
        Raw login = rawHandshake(alice, key, clientStarts);
        assertEquals(clientStarts ? 2 : 3, login.requests(), "a D-H Commit first saves the query's round trip");
        assertEquals(200, login.last().status(), login.last().body());
        assertTrue(login.last().json().getBoolean("encrypted"));
        assertEquals(32, Base64.getDecoder().decode(login.last().json().getString("challenge")).length);
        // the server's Signature message completes the client's side when the client started; nothing otherwise
        assertEquals(clientStarts ? 1 : 0, login.last().json().getJsonArray("messages").size());
        assertTrue(login.otr().isEncrypted());
        assertEquals(serverKey.fingerprint(), login.otr().remoteFingerprint().orElseThrow());
        JsonObject me = rawWhoami(login);
        assertEquals(alice.value(), me.getString("username"));
        assertEquals(OtrPublicKey.of(key.getPublic()).fingerprint().hex(), me.getString("fingerprint"));
    }

    @Test
    void aKeyThatIsNotTheAccountsIsRefusedWhereTheHandshakeCompletesWhenTheClientStartsIt() {
        Username alice = fresh("alice");
        registered(alice, KeyStoreFiles.generate()).logout();
        Raw attempt = rawHandshake(alice, KeyStoreFiles.generate(), true);
        assertEquals(2, attempt.requests(), "refused at the Reveal Signature, the message that proves the key");
        assertEquals(403, attempt.last().status());
        assertEquals("key_mismatch", attempt.last().error());
        Http.Answer after = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .header("OSMS-Session", attempt.sessionId()).POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
        assertEquals(404, after.status(), "the refused conversation no longer exists");
    }

    @Test
    void aKeyThatIsNotTheAccountsIsRefusedAndTheConversationDestroyed() {
        Username alice = fresh("alice");
        registered(alice, KeyStoreFiles.generate()).logout();
        Raw attempt = rawHandshake(alice, KeyStoreFiles.generate());
        assertEquals(403, attempt.last().status());
        assertEquals("key_mismatch", attempt.last().error());
        Http.Answer after = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .header("OSMS-Session", attempt.sessionId()).POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
        assertEquals(404, after.status(), "the refused conversation no longer exists");
    }

    @Test
    void aRegistrationProvingAKeyOsmsRefusesIsRefusedAndTheConversationDestroyed() throws Exception {
        // otr4j completes the handshake with a 768-bit DSA key; OSMS accepts 1024 to 3072 bits
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("DSA");
        g.initialize(768);
        Raw attempt = rawHandshake(null, g.generateKeyPair());
        assertEquals(403, attempt.last().status(), attempt.last().body());
        assertEquals("bad_public_key", attempt.last().error());
        for (String path : List.of("/session", "/create_session")) {
            Http.Answer after = http.send(HttpRequest.newBuilder(http.uri(path))
                    .header("OSMS-Session", attempt.sessionId()).POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
            assertEquals(404, after.status(), path + ": the refused conversation no longer exists: " + after.body());
            assertEquals("unknown_session", after.error());
        }
    }

    @Test
    void aRevokedIdentityCannotLogIn() {
        Username name = fresh("revoked");
        KeyPair key = KeyStoreFiles.generate();
        OsmsClient.Session s = registered(name, key);
        s.command(cmd("revoke-key"));
        assertTrue(s.ended(), "revocation ends the conversation");
        OsmsException e = assertThrows(OsmsException.class, () -> client.login(name, key, serverKey));
        assertEquals(403, e.status());
        assertEquals("identity_revoked", e.code());
    }

    @Test
    void aReplayedCommandIsRejectedAndChangesNothing() {
        Username name = fresh("replay");
        OsmsClient.Session s = registered(name, KeyStoreFiles.generate());
        Username target = fresh("target");
        JsonObject whoami = s.command(Json.createObjectBuilder().add("command", "whoami").build());
        assertEquals(name.value(), whoami.getString("username"));
        // Capture a rename on the wire, deliver it once, then replay it.
        long next = whoami.getJsonNumber("seq").longValue() + 1;
        List<String> wire = s.encrypt(Json.createObjectBuilder().add("command", "rename")
                .add("username", target.value()).add("seq", next).build().toString());
        String captured = wire.get(wire.size() - 1);
        s.postRaw("session", captured);
        OsmsException replayed = assertThrows(OsmsException.class, () -> s.postRaw("session", captured));
        // docs/protocol.md: a message replayed at the OTR layer does not verify in this conversation.
        assertEquals(400, replayed.status());
        assertEquals("bad_otr_message", replayed.code());
        assertEquals(1, renames(target), "the rename happened exactly once");
    }

    @Test
    void aFreshlyEncryptedCommandReusingAnOldSeqIsRefusedAndChangesNothing() {
        Username name = fresh("reseq");
        OsmsClient.Session s = registered(name, KeyStoreFiles.generate());
        // The registration's register command was seq 1, this whoami is 2.
        long used = s.command(cmd("whoami")).getJsonNumber("seq").longValue();
        Username target = fresh("reseqto");
        List<String> wire = s.encrypt(Json.createObjectBuilder().add("command", "rename")
                .add("username", target.value()).add("seq", used).build().toString());
        OsmsException e = assertThrows(OsmsException.class, () -> s.postRaw("session", wire.get(wire.size() - 1)));
        assertEquals(409, e.status());
        assertEquals("replayed", e.code());
        assertEquals(404, http.get("/user/" + target.value()).status(), "the rename did nothing");
        assertEquals(200, http.get("/user/" + name.value()).status());
        assertEquals(0, renames(name));
    }

    private long renames(Username name) {
        return http.get("/user/" + name.value() + "/history").json().getJsonArray("entries").stream()
                .filter(v -> v.asJsonObject().getString("event").equals("renamed")).count();
    }

    @Test
    void aMessageSentUnderAnotherSessionIdIsRejected() {
        OsmsClient.Session a = registered(fresh("a"), KeyStoreFiles.generate());
        OsmsClient.Session b = registered(fresh("b"), KeyStoreFiles.generate());
        List<String> forA = a.encrypt(Json.createObjectBuilder().add("command", "delete-account").add("seq", 2)
                .build().toString());
        OsmsException e = assertThrows(OsmsException.class, () -> b.postRaw("session", forA.get(forA.size() - 1)));
        assertEquals(400, e.status());
        assertEquals("active", b.command(cmd("whoami")).getString("status"), "b is untouched");
    }

    @Test
    void aStolenSessionIdWithoutTheOtrKeysCannotCommand() {
        Username victim = fresh("victim");
        OsmsClient.Session s = registered(victim, KeyStoreFiles.generate());
        // The thief runs its own OTR conversation and sends what it can produce under the victim's session id.
        OsmsClient.Session thiefsOwn = registered(fresh("thief"), KeyStoreFiles.generate());
        List<String> forged = thiefsOwn.encrypt(Json.createObjectBuilder().add("command", "delete-account")
                .add("seq", 2).build().toString());
        for (String body : List.of(forged.get(forged.size() - 1), "?OTR:AAMDAAAAAQAAAAEAAAA=.", "?OTRv3?")) {
            Http.Answer a = http.send(HttpRequest.newBuilder(http.uri("/session")).header("OSMS-Session", s.id())
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertEquals(400, a.status(), body);
        }
        Http.Answer rehandshake = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .header("OSMS-Session", s.id()).POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
        assertEquals(409, rehandshake.status());
        assertEquals(200, http.get("/user/" + victim.value()).status());
        assertEquals("active", s.command(cmd("whoami")).getString("status"), "the victim's conversation goes on");
    }

    @Test
    void aSessionIdAloneCanNeitherEndTheConversationNorRestartItsHandshake() throws Exception {
        Username victim = fresh("holder");
        OsmsClient.Session s = registered(victim, KeyStoreFiles.generate());
        OsmsClient.Session thiefsOwn = registered(fresh("thief"), KeyStoreFiles.generate());
        String foreignData = thiefsOwn.encrypt("{\"command\":\"whoami\",\"seq\":2}").get(0);
        // A handshake message the thief can make without the victim's keys: a D-H commit answering a query.
        List<String> dhCommit = new OtrConversation("thief", "osms", KeyStoreFiles.generate()).receive("?OTRv3?")
                .replies();
        assertEquals(1, dhCommit.size());

        for (String body : List.of("?OTRv3?", dhCommit.get(0), foreignData, "?OTR:AAMDAAAAAQAAAAEAAAA=.", "bye")) {
            Http.Answer end = http.send(HttpRequest.newBuilder(http.uri("/terminate_session"))
                    .header("OSMS-Session", s.id()).POST(HttpRequest.BodyPublishers.ofString(body)));
            assertEquals(400, end.status(), body);
            assertEquals("not_a_disconnect", end.error(), body);
            assertFalse(end.json().containsKey("messages"), "no server OTR messages for " + body);
        }
        for (String body : List.of("?OTRv3?", dhCommit.get(0), "?OTR:AAMCAAAAAQ==.")) {
            Http.Answer restart = http.send(HttpRequest.newBuilder(http.uri("/session"))
                    .header("OSMS-Session", s.id()).POST(HttpRequest.BodyPublishers.ofString(body)));
            assertEquals(400, restart.status(), body + " -> " + restart.body());
            assertEquals("bad_otr_message", restart.error(), body);
            assertFalse(restart.json().containsKey("messages"), "no server OTR messages for " + body);
        }
        JsonObject who = s.command(cmd("whoami"));
        assertEquals(victim.value(), who.getString("username"), "the victim's next command still works");
        assertEquals("active", who.getString("status"));
        s.logout();
        thiefsOwn.logout();
    }

    /**
     * The handshake's last message (the client's signature) sent to {@code /terminate_session} instead: refused before
     * otr4j reads it, so it neither completes the handshake without the login's rules (a registration conversation
     * so completed once answered {@code register} with a 500) nor costs the server a signature check for each copy.
     * The handshake then completes where it belongs. Both flows (the client's query, or its own D-H Commit), for a
     * login and for a registration.
     */
    @ParameterizedTest
    @CsvSource({"true,false", "true,true", "false,false", "false,true"})
    void theHandshakesLastMessageSentToTerminateSessionIsRefusedAndChangesNothing(boolean login, boolean clientStarts)
            throws Exception {
        KeyPair key = KeyStoreFiles.generate();
        Username name = fresh("early");
        if (login) {
            registered(name, key).logout();
        }
        NeverLogged.record(OtrPublicKey.fingerprintOf(key.getPublic()).hex());
        OtrConversation otr = new OtrConversation("client", "osms", key);
        List<String> outgoing = new ArrayList<>(clientStarts ? otr.startKeyExchange() : otr.start());
        String id = null;
        Http.Answer answer = null;
        int diverted = 0;
        for (int i = 0; i < 10 && !outgoing.isEmpty(); i++) {
            String message = outgoing.remove(0);
            if (OtrConversation.isSignatureMessage(message)) {
                for (int copy = 0; copy < 3; copy++) {
                    Http.Answer end = http.send(HttpRequest.newBuilder(http.uri("/terminate_session"))
                            .header("OSMS-Session", id).POST(HttpRequest.BodyPublishers.ofString(message)));
                    assertEquals(400, end.status(), end.body());
                    assertEquals("not_a_disconnect", end.error(), end.body());
                    diverted++;
                }
            }
            HttpRequest.Builder r = HttpRequest.newBuilder(http.uri("/create_session"))
                    .POST(HttpRequest.BodyPublishers.ofString(message));
            if (id != null) {
                r.header("OSMS-Session", id);
            } else if (login) {
                r.header("OSMS-Username", name.value());
            }
            var response = sendRaw(r);
            id = response.headers().firstValue("OSMS-Session").orElse(id);
            answer = new Http.Answer(response.statusCode(), "", response.body());
            assertEquals(200, answer.status(), answer.body());
            for (var m : answer.json().getJsonArray("messages")) {
                outgoing.addAll(otr.receive(((jakarta.json.JsonString) m).getString()).replies());
            }
        }
        assertEquals(3, diverted, "the signature went to /terminate_session first");
        assertTrue(answer.json().getBoolean("encrypted"), "the handshake completed at /create_session: " + answer.body());
        assertTrue(otr.isEncrypted());
        assertEquals(44, answer.json().getString("challenge").length());
        assertEquals(!login, answer.json().containsKey("powBits"), answer.body());
        Raw raw = new Raw(id, answer, otr, 0);
        if (login) {
            assertEquals(name.value(), rawWhoami(raw).getString("username"));
        } else {
            Http.Answer whoami = rawCommand(raw, Json.createObjectBuilder().add("seq", 1).add("command", "whoami")
                    .build());
            assertEquals(200, whoami.status(), "a refusal inside the channel: " + whoami.body());
            String reply = otr.receive(whoami.json().getJsonArray("messages").getString(0)).plaintext().orElseThrow();
            assertEquals("not_registered", Json.createReader(new java.io.StringReader(reply)).readObject()
                    .getString("error"), reply);
            assertEquals(404, http.get("/user/" + name.value()).status());
        }
        List<String> bye = otr.end();
        Http.Answer end = http.send(HttpRequest.newBuilder(http.uri("/terminate_session")).header("OSMS-Session", id)
                .POST(HttpRequest.BodyPublishers.ofString(bye.get(bye.size() - 1))));
        assertEquals(200, end.status(), end.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"?OTR", "?OTRv", "?OTR:", "?OTR:%%%.", "hello", "?OTRv2?", "?OTR?", "?OTRv9?", " ",
        "\u0000\u0001", "?OTR:AAMD.", "?OTR Error: hi",
        // a D-H Commit whose body is malformed: what a login sends if its engine made one (OtrConversationTest)
        "?OTR:AAMCAAAAAQ==."})
    void malformedHandshakeMessagesAre400AndLeaveNoConversation(String body) {
        Http.Answer a = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(400, a.status(), body + " -> " + a.body());
        assertEquals("bad_otr_message", a.error());
        assertEquals(null, a.header("OSMS-Session"), "no conversation handle is handed out");
        assertFalse(a.body().contains("Exception"));
        // That no conversation is kept on the server is counted in ConversationLifecycleIT, where the registry is
        // visible.
    }

    @Test
    void oversizeBodiesUnknownIdsAndMissingHeadersAre4xx() {
        Http.Answer big = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .POST(HttpRequest.BodyPublishers.ofString("?OTR:" + "A".repeat(200_000) + ".")));
        assertEquals(413, big.status());
        Http.Answer binary = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1})));
        assertEquals(400, binary.status());
        Http.Answer unknown = http.send(HttpRequest.newBuilder(http.uri("/session"))
                .header("OSMS-Session", "A".repeat(43)).POST(HttpRequest.BodyPublishers.ofString("?OTR:AAMD.")));
        assertEquals(404, unknown.status());
        Http.Answer malformed = http.send(HttpRequest.newBuilder(http.uri("/session"))
                .header("OSMS-Session", "../../etc").POST(HttpRequest.BodyPublishers.ofString("?OTR:AAMD.")));
        assertEquals(400, malformed.status());
        Http.Answer missing = http.send(HttpRequest.newBuilder(http.uri("/terminate_session"))
                .POST(HttpRequest.BodyPublishers.ofString("?OTR:AAMD.")));
        assertEquals(400, missing.status());
        Http.Answer badName = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .header("OSMS-Username", "not a name!").POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
        assertEquals(400, badName.status());
        assertEquals("bad_username", badName.error());
    }

    @Test
    void fiftyConcurrentLoginsEachSeeOnlyTheirOwnIdentity() throws Exception {
        int n = 50;
        List<Username> names = new ArrayList<>();
        List<KeyPair> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Username u = fresh("many");
            KeyPair k = KeyStoreFiles.generate();
            registered(u, k).logout();
            names.add(u);
            keys.add(k);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<String>> seen = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int me = i;
                seen.add(pool.submit(() -> {
                    OsmsClient.Session s = client.login(names.get(me), keys.get(me), serverKey);
                    String who = s.command(cmd("whoami")).getString("username");
                    s.logout();
                    return who;
                }));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(names.get(i).value(), seen.get(i).get(180, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDeletedIdentityCannotLogInAndKeepsItsNameReserved() {
        Username name = fresh("deleted");
        KeyPair key = KeyStoreFiles.generate();
        OsmsClient.Session s = registered(name, key);
        assertEquals("deleted", s.command(cmd("delete-account")).getString("status"));
        assertTrue(s.ended());
        OsmsException e = assertThrows(OsmsException.class, () -> client.login(name, key, serverKey));
        assertEquals("identity_deleted", e.code());
        OsmsException taken = assertThrows(OsmsException.class,
                () -> registered(name, KeyStoreFiles.generate()));
        assertEquals("username_taken", taken.code());
    }

    /**
     * An owner's changes to its identity are limited per day (the test servers' OSMS_IDENTITY_CHANGES_PER_DAY): each
     * claims a name for good or lengthens the public log. A refused change changes nothing; revoking is never refused.
     */
    @Test
    void anOwnersChangesAreLimitedPerDayAndARefusedOneChangesNothing() {
        int perDay = Integer.getInteger("osms.it.changesPerDay", 20);
        Username name = fresh("busy");
        KeyPair key = KeyStoreFiles.generate();
        registered(name, key).logout();
        OsmsClient.Session s = client.login(name, key, serverKey);
        for (int i = 0; i < perDay; i++) {
            s.command(cmd(i % 2 == 0 ? "unpublish-key" : "publish-key"));
        }
        String status = perDay % 2 == 0 ? "active" : "unpublished";
        long head = http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue();

        Username wanted = fresh("wanted");
        OsmsException rename = assertThrows(OsmsException.class, () -> s.command(Json.createObjectBuilder()
                .add("command", "rename").add("username", wanted.value()).build()));
        assertEquals("rate_limited", rename.code());
        OsmsException toggle = assertThrows(OsmsException.class,
                () -> s.command(cmd(status.equals("active") ? "unpublish-key" : "publish-key")));
        assertEquals("rate_limited", toggle.code());
        assertEquals(head, http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue(), "nothing logged");
        assertEquals(404, http.get("/user/" + wanted.value()).status(), "the name was not claimed");
        JsonObject user = http.get("/user/" + name.value()).json();
        assertEquals(status, user.getString("status"));
        assertEquals(perDay + 1, http.get("/user/" + name.value() + "/history?limit=1000").json()
                .getJsonArray("entries").size());

        // A key replacement is refused for the day's allowance before its key's primality is tested (a third of a
        // second each), and such a refusal counts as a refused preparation: after three, the conversation's fourth
        // try is refused unread, not answered bad_key_proof.
        KeyPair newKey = KeyStoreFiles.generate();
        OtrPublicKey newPublic = OtrPublicKey.of(newKey.getPublic());
        JsonObject signed = replaceKey(newPublic, SessionProofs.signKeyReplacement(s.challenge(), newPublic,
                newKey.getPrivate()));
        for (int i = 0; i < Commands.MAX_REFUSED_PREPARATIONS; i++) {
            assertEquals("rate_limited", assertThrows(OsmsException.class, () -> s.command(signed)).code());
        }
        JsonObject unsigned = replaceKey(newPublic, SessionProofs.signKeyReplacement(new byte[32], newPublic,
                newKey.getPrivate()));
        OsmsException cutOff = assertThrows(OsmsException.class, () -> s.command(unsigned));
        assertEquals("rate_limited", cutOff.code(), cutOff.getMessage());
        assertTrue(cutOff.getMessage().contains("was refused"), cutOff.getMessage());
        assertEquals(head, http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue(), "nothing logged");

        assertEquals("revoked", s.command(cmd("revoke-key")).getString("status"), "ending an identity is never limited");
    }

    /** OSMS_SESSION_MAX_PER_IDENTITY of the test servers: the default of liberty/config/server.xml. */
    private static final int PER_IDENTITY = 8;

    /**
     * One identity cannot fill the server's cap of logged-in conversations, which everybody shares: a login beyond
     * its share ends its least recently used conversation, and nobody else's.
     */
    @Test
    void aLoginBeyondTheIdentitysShareEndsItsLeastRecentlyUsedConversationOnly() throws InterruptedException {
        Username name = fresh("many");
        KeyPair key = KeyStoreFiles.generate();
        registered(name, key).logout();
        Username bystanderName = fresh("bystander");
        KeyPair bystanderKey = KeyStoreFiles.generate();
        registered(bystanderName, bystanderKey).logout();
        OsmsClient.Session bystander = client.login(bystanderName, bystanderKey, serverKey);
        List<OsmsClient.Session> held = new ArrayList<>();
        for (int i = 0; i < PER_IDENTITY; i++) {
            held.add(client.login(name, key, serverKey));
        }
        // used in the order 1, 2, ..., last, then 0: conversation 1 is now the least recently used
        for (int i = 1; i <= PER_IDENTITY; i++) {
            Thread.sleep(5);
            assertEquals(name.value(), held.get(i % PER_IDENTITY).command(cmd("whoami")).getString("username"));
        }

        OsmsClient.Session newest = client.login(name, key, serverKey);
        OsmsException displaced = assertThrows(OsmsException.class, () -> held.get(1).command(cmd("whoami")));
        assertEquals(404, displaced.status());
        assertEquals("unknown_session", displaced.code());
        held.set(1, newest);
        for (OsmsClient.Session s : held) {
            assertEquals(name.value(), s.command(cmd("whoami")).getString("username"));
        }
        assertEquals(bystanderName.value(), bystander.command(cmd("whoami")).getString("username"));
        OsmsClient.Session another = client.login(bystanderName, bystanderKey, serverKey);
        assertEquals(bystanderName.value(), another.command(cmd("whoami")).getString("username"));
        held.forEach(OsmsClient.Session::logout);
        bystander.logout();
        another.logout();
    }

    @Test
    void anUnpublishedKeyStillLogsInAndCanBePublishedAgain() {
        Username name = fresh("hidden");
        KeyPair key = KeyStoreFiles.generate();
        registered(name, key).logout();
        OsmsClient.Session s = client.login(name, key, serverKey);
        assertEquals("unpublished", s.command(cmd("unpublish-key")).getString("status"));
        s.logout();
        JsonObject hidden = http.get("/user/" + name.value()).json();
        assertEquals("unpublished", hidden.getString("status"));
        assertFalse(hidden.containsKey("publicKey"));

        OsmsClient.Session again = client.login(name, key, serverKey);
        assertEquals("active", again.command(cmd("publish-key")).getString("status"));
        again.logout();
        assertEquals("active", http.get("/user/" + name.value()).json().getString("status"));
    }

    @Test
    void registrationRefusesTakenNamesBadWorkAndOtherCommandsAndCreatesNothing() {
        Username taken = fresh("taken");
        registered(taken, KeyStoreFiles.generate()).logout();
        long head = http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue();

        KeyPair key = KeyStoreFiles.generate();
        OsmsClient.Session s = client.registration(key, serverKey);
        RegistrationPuzzle.Difficulty puzzle = s.registrationPuzzle();
        assertTrue(puzzle.memoryKiB() >= RegistrationPuzzle.MIN_MEMORY_KIB && puzzle.bits() > 0);
        assertEquals("not_registered", assertThrows(OsmsException.class, () -> s.command(cmd("whoami"))).code());

        Username wanted = fresh("wanted");
        String fingerprint = OtrPublicKey.of(key.getPublic()).fingerprint().hex();
        long right = RegistrationPuzzle.solve(puzzle, s.challenge(), taken.value(), fingerprint, 1);
        assertEquals("username_taken", assertThrows(OsmsException.class, () -> s.command(Json.createObjectBuilder()
                .add("command", "register").add("username", taken.value()).add("counter", right).build())).code());
        assertEquals("bad_username", assertThrows(OsmsException.class, () -> s.command(Json.createObjectBuilder()
                .add("command", "register").add("username", "no way!").add("counter", 0).build())).code());
        long wrong = 0;
        while (RegistrationPuzzle.isSolved(puzzle, s.challenge(), wanted.value(), fingerprint, wrong)) {
            wrong++;
        }
        long wrongCounter = wrong;
        // a wrong answer costs the server an Argon2id evaluation: it ends the registration conversation
        assertEquals("bad_proof_of_work", assertThrows(OsmsException.class, () -> s.command(Json.createObjectBuilder()
                .add("command", "register").add("username", wanted.value()).add("counter", wrongCounter).build()))
                .code());
        assertTrue(s.ended());
        assertEquals(404, assertThrows(OsmsException.class, () -> s.command(cmd("whoami"))).status());

        assertEquals(head, http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue(),
                "nothing was created");
        assertEquals(404, http.get("/user/" + wanted.value()).status());
    }
}
