package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;

class SessionProofsTest {

    @Test
    void leadingZeroBitsCountsAcrossBytes() {
        assertEquals(0, SessionProofs.leadingZeroBits(new byte[] {(byte) 0x80, 0}));
        assertEquals(7, SessionProofs.leadingZeroBits(new byte[] {1, 0}));
        assertEquals(12, SessionProofs.leadingZeroBits(new byte[] {0, 0x08}));
        assertEquals(16, SessionProofs.leadingZeroBits(new byte[] {0, 0}));
    }

    @Test
    void workFoundForOneUsernameKeyAndChallengeDoesNotTransfer() {
        byte[] challenge = new byte[32];
        challenge[0] = 7;
        String fp = "ab".repeat(20);
        long counter = SessionProofs.doWork(challenge, "alice", fp, 12);
        assertTrue(SessionProofs.workIsDone(challenge, "alice", fp, counter, 12));
        // Fixed inputs, so the counter is fixed too: each check below is deterministic, not a 1-in-4096 chance.
        assertFalse(SessionProofs.workIsDone(challenge, "mallory", fp, counter, 12), "bound to the name");
        assertFalse(SessionProofs.workIsDone(challenge, "alice", "cd".repeat(20), counter, 12), "bound to the key");
        assertFalse(SessionProofs.workIsDone(new byte[32], "alice", fp, counter, 12), "bound to the conversation");
    }

    @Test
    void aKeyReplacementProofIsBoundToTheConversationAndTheNewKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        KeyPair next = g.generateKeyPair();
        KeyPair other = g.generateKeyPair();
        OtrPublicKey nextKey = OtrPublicKey.of(next.getPublic());
        byte[] challenge = new byte[32];
        challenge[5] = 9;
        byte[] proof = SessionProofs.signKeyReplacement(challenge, nextKey, next.getPrivate());
        assertTrue(SessionProofs.keyReplacementIsSigned(challenge, nextKey, proof));
        assertFalse(SessionProofs.keyReplacementIsSigned(new byte[32], nextKey, proof), "another conversation");
        assertFalse(SessionProofs.keyReplacementIsSigned(challenge, OtrPublicKey.of(other.getPublic()), proof),
                "another key");
        assertFalse(SessionProofs.keyReplacementIsSigned(challenge, nextKey,
                SessionProofs.signKeyReplacement(challenge, nextKey, other.getPrivate())), "signed by someone else");
        assertFalse(SessionProofs.keyReplacementIsSigned(challenge, nextKey, new byte[] {1, 2, 3}));
    }
}
