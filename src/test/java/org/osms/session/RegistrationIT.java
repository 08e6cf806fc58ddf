package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.Username;

/**
 * Registration over HTTP with the reference client: the proof of work is bound to the name and the conversation, a
 * key belongs to one identity, and a name given up by a rename logs nobody in. Each refusal creates nothing.
 */
class RegistrationIT {
    private final Http http = Http.fromSystemProperty();
    private final OsmsClient client = new OsmsClient(URI.create(http.base()));
    private final OtrPublicKey serverKey = client.serverKey();

    private static JsonObject register(Username name, long counter) {
        return Json.createObjectBuilder().add("command", "register").add("username", name.value())
                .add("counter", counter).build();
    }

    private static String fingerprint(KeyPair key) {
        return OtrPublicKey.of(key.getPublic()).fingerprint().hex();
    }

    private long head() {
        return http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue();
    }

    /** The first counter that is a proof for {@code made} and not for {@code used}: a real proof, for the wrong use. */
    private static long proofFor(RegistrationPuzzle.Difficulty d, byte[] madeChallenge, Username made,
                                 byte[] usedChallenge, Username used, String fingerprint) {
        for (long c = 0; ; c++) {
            if (RegistrationPuzzle.isSolved(d, madeChallenge, made.value(), fingerprint, c)
                    && !RegistrationPuzzle.isSolved(d, usedChallenge, used.value(), fingerprint, c)) {
                return c;
            }
        }
    }

    /** A wrong proof ends the registration conversation (docs/protocol.md, "Registration puzzle"). */
    private static void assertEnded(OsmsClient.Session s) {
        OsmsException gone = assertThrows(OsmsException.class, () -> s.command(register(
                Deployments.freshUsername("after"), 0)));
        assertEquals(404, gone.status());
        assertEquals("unknown_session", gone.code());
    }

    @Test
    void workDoneForOneNameIsRefusedForAnother() {
        KeyPair key = KeyStoreFiles.generate();
        OsmsClient.Session s = client.registration(key, serverKey);
        Username a = Deployments.freshUsername("powa");
        Username b = Deployments.freshUsername("powb");
        long forA = proofFor(s.registrationPuzzle(), s.challenge(), a, s.challenge(), b, fingerprint(key));
        long before = head();

        OsmsException e = assertThrows(OsmsException.class, () -> s.command(register(b, forA)));
        assertEquals("bad_proof_of_work", e.code());
        assertEquals(before, head(), "nothing was created");
        assertEquals(404, http.get("/user/" + b.value()).status());
        assertEnded(s);

        // The counter is a real proof for the name it was made for: the refusal was the binding, not the work.
        assertEquals(true, RegistrationPuzzle.isSolved(s.registrationPuzzle(), s.challenge(), a.value(),
                fingerprint(key), forA));
        assertEquals(before, head());
    }

    @Test
    void workDoneInAnotherConversationIsRefused() {
        KeyPair key = KeyStoreFiles.generate();
        OsmsClient.Session first = client.registration(key, serverKey);
        OsmsClient.Session second = client.registration(key, serverKey);
        Username name = Deployments.freshUsername("powc");
        long inFirst = proofFor(first.registrationPuzzle(), first.challenge(), name, second.challenge(), name,
                fingerprint(key));
        long before = head();

        OsmsException e = assertThrows(OsmsException.class, () -> second.command(register(name, inFirst)));
        assertEquals("bad_proof_of_work", e.code());
        assertEquals(before, head(), "nothing was created");
        assertEquals(404, http.get("/user/" + name.value()).status());
        assertEnded(second);

        // The same counter registers the name in the conversation it was made in.
        assertEquals(name.value(), first.command(register(name, inFirst)).getString("username"));
        assertEquals(before + 1, head());
        first.logout();
    }

    @Test
    void aKeyAnotherIdentityHoldsIsRefusedWithKeyInUse() {
        KeyPair key = KeyStoreFiles.generate();
        Username owner = Deployments.freshUsername("keyowner");
        client.register(owner, key, serverKey).logout();
        long before = head();

        OsmsClient.Session s = client.registration(key, serverKey);
        Username other = Deployments.freshUsername("keythief");
        long work = RegistrationPuzzle.solve(s.registrationPuzzle(), s.challenge(), other.value(), fingerprint(key),
                1);
        OsmsException e = assertThrows(OsmsException.class, () -> s.command(register(other, work)));
        assertEquals("key_in_use", e.code());
        assertEquals(before, head(), "nothing was created");
        assertEquals(404, http.get("/user/" + other.value()).status());
        assertEquals(fingerprint(key), http.get("/user/" + owner.value()).json().getString("fingerprint"),
                "the key stays its owner's");
        s.logout();
    }

    /** The first counter that is not a proof for this name in this conversation. */
    private static long wrongAnswer(OsmsClient.Session s, Username name, KeyPair key) {
        long c = 0;
        while (RegistrationPuzzle.isSolved(s.registrationPuzzle(), s.challenge(), name.value(), fingerprint(key), c)) {
            c++;
        }
        return c;
    }

    /**
     * A name or key that is not free is refused before the answer is checked, so asking for it again and again costs
     * the server no Argon2id evaluation: even a wrong answer gets {@code username_taken} or {@code key_in_use} (not
     * {@code bad_proof_of_work}, which would end the conversation), and the conversation stays open for a free name.
     */
    @Test
    void aNameOrKeyThatIsNotFreeIsRefusedBeforeTheWorkIsChecked() {
        Username owner = Deployments.freshUsername("takenname");
        KeyPair ownerKey = KeyStoreFiles.generate();
        client.register(owner, ownerKey, serverKey).logout();

        KeyPair key = KeyStoreFiles.generate();
        OsmsClient.Session s = client.registration(key, serverKey);
        long before = head();
        for (int i = 0; i < 5; i++) {
            OsmsException e = assertThrows(OsmsException.class,
                    () -> s.command(register(owner, wrongAnswer(s, owner, key))));
            assertEquals("username_taken", e.code(), "refused for the name, before the work was looked at");
        }
        assertEquals(before, head(), "nothing was created");

        Username free = Deployments.freshUsername("freename");
        long right = RegistrationPuzzle.solve(s.registrationPuzzle(), s.challenge(), free.value(), fingerprint(key), 1);
        assertEquals(free.value(), s.command(register(free, right)).getString("username"),
                "the conversation stayed open");
        assertEquals(before + 1, head());
        s.logout();

        OsmsClient.Session again = client.registration(ownerKey, serverKey);
        Username other = Deployments.freshUsername("otherfree");
        for (int i = 0; i < 3; i++) {
            OsmsException e = assertThrows(OsmsException.class,
                    () -> again.command(register(other, wrongAnswer(again, other, ownerKey))));
            assertEquals("key_in_use", e.code(), "refused for the key, before the work was looked at");
        }
        assertEquals(before + 1, head(), "nothing was created");
        assertEquals(404, http.get("/user/" + other.value()).status());
        again.logout();
    }

    @Test
    void aNameGivenUpByARenameLogsNobodyIn() {
        KeyPair key = KeyStoreFiles.generate();
        Username old = Deployments.freshUsername("given");
        Username renamed = Deployments.freshUsername("taken");
        OsmsClient.Session s = client.register(old, key, serverKey);
        s.command(Json.createObjectBuilder().add("command", "rename").add("username", renamed.value()).build());
        s.logout();
        long before = head();

        OsmsException e = assertThrows(OsmsException.class, () -> client.login(old, key, serverKey));
        assertEquals(403, e.status());
        assertEquals("unknown_user", e.code());
        assertEquals(before, head());
        OsmsClient.Session again = client.login(renamed, key, serverKey);
        assertEquals(renamed.value(), again.command(Json.createObjectBuilder().add("command", "whoami").build())
                .getString("username"));
        again.logout();
    }
}
