package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server key history's handovers (docs/protocol.md, "GET /pk/history"): a chain is followed only from a key in
 * it, to the key the server uses now, through handovers that both the old and the new key signed.
 */
class ServerKeyHandoverTest {
    private static KeyPair k1;
    private static KeyPair k2;
    private static KeyPair k3;
    private static KeyPair stranger;
    private static List<ServerKeyRecord> chain;

    @BeforeAll
    static void threeKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        k1 = g.generateKeyPair();
        k2 = g.generateKeyPair();
        k3 = g.generateKeyPair();
        stranger = g.generateKeyPair();
        chain = List.of(first(k1, 100), handover(2, k1, k2, 200), handover(3, k2, k3, 300));
    }

    private static ServerKeyRecord first(KeyPair k, long at) {
        OtrPublicKey pub = OtrPublicKey.of(k.getPublic());
        return new ServerKeyRecord(1, pub.serialized(), pub.fingerprint().hex(), at, null, null);
    }

    private static ServerKeyRecord handover(long serial, KeyPair old, KeyPair next, long at) {
        return handover(serial, old, next, next, at);
    }

    private static ServerKeyRecord handover(long serial, KeyPair old, KeyPair next, KeyPair newSigner, long at) {
        OtrPublicKey pub = OtrPublicKey.of(next.getPublic());
        byte[] said = ServerKeyHandover.statement(serial, fp(old).hex(), pub.fingerprint().hex(), at);
        return new ServerKeyRecord(serial, pub.serialized(), pub.fingerprint().hex(), at,
                ServerKeyHandover.sign(said, old.getPrivate()), ServerKeyHandover.sign(said, newSigner.getPrivate()));
    }

    private static Fingerprint fp(KeyPair k) {
        return OtrPublicKey.of(k.getPublic()).fingerprint();
    }

    @Test
    void theStatementIsTheDocumentedAsciiString() {
        assertArrayEquals(("OSMS-SERVER-KEY-1:2:" + "ab".repeat(20) + ":" + "cd".repeat(20) + ":1795572738387")
                        .getBytes(StandardCharsets.US_ASCII),
                ServerKeyHandover.statement(2, "ab".repeat(20), "cd".repeat(20), 1795572738387L));
    }

    @Test
    void aClientPinnedToAnyEarlierKeyFollowsTheChainToTheCurrentOne() {
        assertEquals(chain, ServerKeyHandover.follow(chain, fp(k1), fp(k3)));
        assertEquals(chain.subList(1, 3), ServerKeyHandover.follow(chain, fp(k2), fp(k3)));
        assertEquals(chain.subList(2, 3), ServerKeyHandover.follow(chain, fp(k3), fp(k3)));
    }

    @Test
    void aKeyThatIsNotInTheHistoryIsNotFollowed() {
        ServerKeyHandover.BrokenHandover e = assertThrows(ServerKeyHandover.BrokenHandover.class,
                () -> ServerKeyHandover.follow(chain, fp(stranger), fp(k3)));
        assertTrue(e.getMessage().contains("not in the server's key history"), e.getMessage());
    }

    @Test
    void theCurrentKeyMustBeTheLastOfTheHistory() {
        assertBroken("not the last key", chain, fp(k1), fp(k2));
        assertBroken("not the last key", chain, fp(k1), fp(stranger));
    }

    @Test
    void aHandoverNotSignedByTheOldKeyBreaksTheChain() {
        // the stranger signs the handover from k2 to its own key: it does not hold k2
        List<ServerKeyRecord> forged = new ArrayList<>(chain.subList(0, 2));
        forged.add(handover(3, stranger, stranger, 300));
        ServerKeyRecord r = forged.get(2);
        OtrPublicKey pub = OtrPublicKey.of(stranger.getPublic());
        byte[] said = ServerKeyHandover.statement(3, fp(k2).hex(), pub.fingerprint().hex(), 300);
        forged.set(2, new ServerKeyRecord(3, r.publicKey(), r.fingerprint(), 300,
                ServerKeyHandover.sign(said, stranger.getPrivate()), ServerKeyHandover.sign(said,
                stranger.getPrivate())));
        assertBroken("not signed by key 2", forged, fp(k1), fp(stranger));
    }

    @Test
    void aHandoverTheNewKeyDidNotSignBreaksTheChain() {
        List<ServerKeyRecord> forged = List.of(chain.get(0), handover(2, k1, k2, stranger, 200));
        assertBroken("not signed by that key", forged, fp(k1), fp(k2));
    }

    @Test
    void aSignatureOverAnotherTimeOrSerialDoesNotVerify() {
        ServerKeyRecord r = chain.get(1);
        List<ServerKeyRecord> retimed = List.of(chain.get(0), new ServerKeyRecord(2, r.publicKey(), r.fingerprint(),
                201, r.previousKeySignature(), r.keySignature()));
        assertBroken("not signed by key 1", retimed, fp(k1), fp(k2));
    }

    @Test
    void aHistoryOutOfOrderOrWithAGapOrAWrongFingerprintIsRefused() {
        assertBroken("serial order", List.of(chain.get(1), chain.get(0)), fp(k1), fp(k1));
        assertBroken("serial order", List.of(chain.get(0), chain.get(2)), fp(k1), fp(k3));
        ServerKeyRecord r = chain.get(0);
        assertBroken("does not have its fingerprint", List.of(new ServerKeyRecord(1, r.publicKey(), fp(k2).hex(),
                r.createdAt(), null, null)), fp(k2), fp(k2));
        assertBroken("not a valid OTR key", List.of(new ServerKeyRecord(1, new byte[] {0, 0, 1}, r.fingerprint(),
                r.createdAt(), null, null)), fp(k1), fp(k1));
        assertBroken("no key history", List.of(), fp(k1), fp(k1));
    }

    /**
     * Only the keys from the pinned one on are parsed (and their p and q tested for primality): a history whose
     * earlier keys are anything at all costs a client pinned later nothing, and is still refused to a client pinned
     * to one of those keys.
     */
    @Test
    void theKeysBeforeThePinnedOneAreNotParsed() {
        ServerKeyRecord first = chain.get(0);
        List<ServerKeyRecord> junkFirst = List.of(new ServerKeyRecord(1, new byte[] {0, 0, 1}, first.fingerprint(),
                first.createdAt(), null, null), chain.get(1), chain.get(2));
        assertEquals(chain.subList(1, 3), ServerKeyHandover.follow(junkFirst, fp(k2), fp(k3)));
        assertBroken("key 1 of the history is not a valid OTR key", junkFirst, fp(k1), fp(k3));
    }

    private static void assertBroken(String why, List<ServerKeyRecord> history, Fingerprint pinned,
                                     Fingerprint current) {
        ServerKeyHandover.BrokenHandover e = assertThrows(ServerKeyHandover.BrokenHandover.class,
                () -> ServerKeyHandover.follow(history, pinned, current));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
