package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Http;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;

/**
 * Authority follows keys (docs/protocol.md, "Authority"): a conversation may act for its identity only while the key
 * it proved is the identity's current key and the identity may log in. Over HTTP with the reference client.
 */
class AuthorityIT {
    private static final ExecutorService POOL = Executors.newFixedThreadPool(2);

    private final Http http = Http.fromSystemProperty();
    private final OsmsClient client = new OsmsClient(URI.create(http.base()));
    private final OtrPublicKey serverKey = client.serverKey();

    @AfterAll
    static void stopPool() {
        POOL.shutdownNow();
    }

    private static Username fresh(String prefix) {
        return Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    private static JsonObject cmd(String name) {
        return Json.createObjectBuilder().add("command", name).build();
    }

    private static String fingerprint(KeyPair key) {
        return OtrPublicKey.of(key.getPublic()).fingerprint().hex();
    }

    private static JsonObject replaceKey(OsmsClient.Session s, KeyPair newKey) {
        OtrPublicKey newPublic = OtrPublicKey.of(newKey.getPublic());
        return s.command(Json.createObjectBuilder().add("command", "replace-key")
                .add("publicKey", Base64.getEncoder().encodeToString(newPublic.serialized()))
                .add("signature", Base64.getEncoder().encodeToString(
                        SessionProofs.signKeyReplacement(s.challenge(), newPublic, newKey.getPrivate())))
                .build());
    }

    private Username registered(KeyPair key) {
        Username name = fresh("auth");
        client.register(name, key, serverKey).logout();
        return name;
    }

    /** The directory's current entry for a name, as anyone reads it. */
    private JsonObject directoryEntry(Username name) {
        Http.Answer a = http.get("/user/" + name.value());
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    /** The events of an identity's public history, oldest first. */
    private List<String> historyEvents(Username name) {
        Http.Answer a = http.get("/user/" + name.value() + "/history");
        assertEquals(200, a.status(), a.body());
        List<String> events = new ArrayList<>();
        for (JsonValue v : a.json().getJsonArray("entries")) {
            events.add(v.asJsonObject().getString("event"));
        }
        return events;
    }

    private static void assertEnded(OsmsClient.Session s) {
        OsmsException e = assertThrows(OsmsException.class, () -> s.command(cmd("whoami")));
        assertEquals(404, e.status(), e.getMessage());
        assertEquals("unknown_session", e.code());
    }

    @Test
    void aThiefsConversationEndsWhenTheOwnerReplacesTheStolenKey() {
        KeyPair a = KeyStoreFiles.generate();
        Username victim = registered(a);
        OsmsClient.Session thief = client.login(victim, a, serverKey);
        OsmsClient.Session owner = client.login(victim, a, serverKey);
        assertEquals(victim.value(), thief.command(cmd("whoami")).getString("username"));

        KeyPair b = KeyStoreFiles.generate();
        assertEquals(fingerprint(b), replaceKey(owner, b).getString("fingerprint"));

        // The thief's conversation proved A, which is no longer the key: it has ended, for every command.
        assertEnded(thief);
        KeyPair c = KeyStoreFiles.generate();
        OsmsException takeover = assertThrows(OsmsException.class, () -> replaceKey(thief, c));
        assertEquals(404, takeover.status());
        assertEquals("unknown_session", takeover.code());

        // B stays the key: in the directory, in the history (one replacement only), and as the login credential.
        assertEquals(fingerprint(b), directoryEntry(victim).getString("fingerprint"));
        assertEquals(List.of("registered", "key_replaced"), historyEvents(victim));
        OsmsException withA = assertThrows(OsmsException.class, () -> client.login(victim, a, serverKey));
        assertEquals(403, withA.status());
        assertEquals("key_mismatch", withA.code());
        OsmsException withC = assertThrows(OsmsException.class, () -> client.login(victim, c, serverKey));
        assertEquals("key_mismatch", withC.code());

        // The owner's own conversation proved B by signing it, so it goes on under B.
        assertEquals(fingerprint(b), owner.command(cmd("whoami")).getString("fingerprint"));
        owner.logout();
        OsmsClient.Session again = client.login(victim, b, serverKey);
        assertEquals(victim.value(), again.command(cmd("whoami")).getString("username"));
        again.logout();
    }

    @ParameterizedTest
    @ValueSource(strings = {"revoke-key", "delete-account"})
    void closingAnIdentityEndsEveryOtherConversationOfIt(String closing) {
        KeyPair a = KeyStoreFiles.generate();
        Username name = registered(a);
        OsmsClient.Session other = client.login(name, a, serverKey);
        OsmsClient.Session third = client.login(name, a, serverKey);
        OsmsClient.Session closer = client.login(name, a, serverKey);
        // Someone else's conversation is not touched.
        KeyPair bystanderKey = KeyStoreFiles.generate();
        Username bystander = registered(bystanderKey);
        OsmsClient.Session unrelated = client.login(bystander, bystanderKey, serverKey);

        JsonObject closed = closer.command(cmd(closing));
        assertEquals(closing.equals("revoke-key") ? "revoked" : "deleted", closed.getString("status"));
        assertTrue(closer.ended(), "the conversation that closed the identity ends with it");

        assertEnded(other);
        assertEnded(third);
        assertEnded(closer);
        assertEquals(bystander.value(), unrelated.command(cmd("whoami")).getString("username"));
        unrelated.logout();
    }

    @Test
    void renamesAndPublicationDoNotEndOtherConversations() {
        KeyPair a = KeyStoreFiles.generate();
        Username name = registered(a);
        OsmsClient.Session other = client.login(name, a, serverKey);
        OsmsClient.Session actor = client.login(name, a, serverKey);
        Username renamed = fresh("auth");
        actor.command(Json.createObjectBuilder().add("command", "rename").add("username", renamed.value()).build());
        actor.command(cmd("unpublish-key"));
        // The key is still the identity's current key: the other conversation keeps its authority.
        JsonObject whoami = other.command(cmd("whoami"));
        assertEquals(renamed.value(), whoami.getString("username"));
        assertEquals("unpublished", whoami.getString("status"));
        other.logout();
        actor.logout();
    }

    /**
     * A stale conversation races the owner's key replacement. The identity's row is locked from the authority check
     * to the commit, so exactly one of the two replacements wins; the loser's conversation has ended and changed
     * nothing; the directory holds the winner's key and the history one replacement per round.
     */
    @Test
    void aStaleConversationRacingAKeyReplacementNeverLeavesAKeyNobodyWasAnsweredOkFor() throws Exception {
        KeyPair current = KeyStoreFiles.generate();
        Username name = registered(current);
        int ownerWins = 0;
        int rounds = 50;
        for (int round = 0; round < rounds; round++) {
            OsmsClient.Session owner = client.login(name, current, serverKey);
            OsmsClient.Session stale = client.login(name, current, serverKey);
            KeyPair ownersNext = KeyStoreFiles.generate();
            KeyPair thiefsNext = KeyStoreFiles.generate();
            CountDownLatch start = new CountDownLatch(1);
            Future<Object> byOwner = POOL.submit(race(start, () -> replaceKey(owner, ownersNext)));
            Future<Object> byThief = POOL.submit(race(start, () -> replaceKey(stale, thiefsNext)));
            start.countDown();
            Object ownerResult = byOwner.get(60, TimeUnit.SECONDS);
            Object thiefResult = byThief.get(60, TimeUnit.SECONDS);

            boolean ownerOk = ownerResult instanceof JsonObject;
            boolean thiefOk = thiefResult instanceof JsonObject;
            assertNotEquals(ownerOk, thiefOk, "round " + round + ": exactly one replacement may be answered ok");
            OsmsException loser = (OsmsException) (ownerOk ? thiefResult : ownerResult);
            assertEquals(404, loser.status(), "round " + round + ": " + loser.getMessage());
            assertEquals("unknown_session", loser.code());
            KeyPair winner = ownerOk ? ownersNext : thiefsNext;
            assertEquals(fingerprint(winner), directoryEntry(name).getString("fingerprint"), "round " + round);
            assertEquals(round + 2, historyEvents(name).size(), "round " + round + ": one replacement per round");
            ownerWins += ownerOk ? 1 : 0;

            (ownerOk ? owner : stale).logout();
            current = winner;
        }
        System.out.printf("stale-conversation race: the owner's replacement won %d of %d rounds%n", ownerWins, rounds);
    }

    private static Callable<Object> race(CountDownLatch start, Callable<JsonObject> replacement) {
        return () -> {
            start.await();
            try {
                return replacement.call();
            } catch (OsmsException e) {
                return e;
            }
        };
    }
}
