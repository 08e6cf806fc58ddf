package org.osms.otr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.java.otr4j.session.SessionImpl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The encrypted X of the AKE's Reveal Signature and Signature messages is checked before otr4j parses it: the other
 * side of a handshake knows the keys, so it can seal an X whose public key claims MPIs of any length with a valid
 * MAC, and otr4j allocated each at its claimed length (and as much again as a BigInteger). Here a real handshake is
 * run up to the message in question, which is then replaced by one sealed with the handshake's own keys.
 */
class OtrSealedSignatureTest {
    /** A refusal may allocate a small multiple of the message it refuses (base64, copies, decryption). */
    private static final int ALLOCATION_FACTOR = 16;
    private static final long ALLOCATION_CONSTANT = 64 * 1024;
    /** What the forged public key's first MPI claims: 64 MiB (otr4j allocated 128 MiB for it). */
    private static final int CLAIM = 64 << 20;

    private static KeyPair clientKey;
    private static KeyPair serverKey;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        clientKey = g.generateKeyPair();
        serverKey = g.generateKeyPair();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** The handshake secret s of the first handshake state of this conversation in the given otr4j state. */
    private static BigInteger secret(OtrConversation c, int state) throws Exception {
        Field sessionField = OtrConversation.class.getDeclaredField("session");
        sessionField.setAccessible(true);
        SessionImpl session = (SessionImpl) sessionField.get(c);
        Field auth = SessionImpl.class.getDeclaredField("authContext");
        auth.setAccessible(true);
        Field slaves = SessionImpl.class.getDeclaredField("slaveSessions");
        slaves.setAccessible(true);
        List<Object> contexts = new ArrayList<>();
        contexts.add(auth.get(session));
        for (Object slave : ((Map<?, ?>) slaves.get(session)).values()) {
            contexts.add(auth.get(slave));
        }
        Class<?> impl = Class.forName("net.java.otr4j.session.AuthContextImpl");
        Field stateField = impl.getDeclaredField("authenticationState");
        stateField.setAccessible(true);
        Method getS = impl.getDeclaredMethod("getS");
        getS.setAccessible(true);
        for (Object a : contexts) {
            if (a != null && stateField.getInt(a) == state) {
                return (BigInteger) getS.invoke(a);
            }
        }
        throw new AssertionError("no handshake state " + state);
    }

    private static byte[] decode(String message) {
        return Base64.getDecoder().decode(message.substring(5, message.length() - 1));
    }

    /**
     * The message with its X replaced: a DSA public key whose p claims {@link #CLAIM} bytes and holds 16, sealed
     * with the keys the real message was sealed with (c and m2 for a Reveal Signature, c' and m2' for a Signature).
     */
    private static String reseal(String message, BigInteger s) throws Exception {
        byte[] bytes = decode(message);
        boolean reveal = bytes[2] == 0x11;
        int at = 11 + (reveal ? 4 + 16 : 0);
        byte[] x = ByteBuffer.allocate(2 + 4 + 16).putShort((short) 0).putInt(CLAIM).put(new byte[16]).array();
        x[6] = 1;
        byte[] keys = OtrSealedSignature.h2(0x01, s);
        byte[] aes = reveal ? Arrays.copyOfRange(keys, 0, 16) : Arrays.copyOfRange(keys, 16, 32);
        byte[] encrypted = OtrSealedSignature.aesCtr(aes, x); // CTR: encryption is decryption
        byte[] field = ByteBuffer.allocate(4 + encrypted.length).putInt(encrypted.length).put(encrypted).array();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(OtrSealedSignature.h2(reveal ? 0x03 : 0x05, s), "HmacSHA256"));
        byte[] tag = Arrays.copyOf(mac.doFinal(field), 20);
        byte[] forged = ByteBuffer.allocate(at + field.length + 20).put(bytes, 0, at).put(field).put(tag).array();
        return "?OTR:" + Base64.getEncoder().encodeToString(forged) + ".";
    }

    /** A fresh server conversation, and the hostile message of the given type for it at the right moment. */
    private record Staged(OtrConversation server, String hostile, String genuine) {
    }

    /** The server initiates (OSMS's login): the client's Signature message carries the client's key. */
    private static Staged signature() throws Exception {
        OtrConversation client = new OtrConversation("client", "osms", clientKey);
        OtrConversation server = new OtrConversation("osms", "client", serverKey);
        List<String> dhCommit = server.receive(client.start().get(0)).replies();
        List<String> dhKey = client.receive(dhCommit.get(0)).replies();
        List<String> revealSignature = server.receive(dhKey.get(0)).replies();
        String signature = client.receive(revealSignature.get(0)).replies().get(0);
        return new Staged(server, reseal(signature, secret(server, 3)), signature);
    }

    /** A client that sends its own D-H Commit makes the server the responder: its Reveal Signature carries its key. */
    private static Staged revealSignature() throws Exception {
        OtrConversation attacker = new OtrConversation("client", "osms", clientKey);
        OtrConversation server = new OtrConversation("osms", "client", serverKey);
        String dhCommit = attacker.receive(OtrConversation.QUERY_MESSAGE).replies().get(0);
        String dhKey = server.receive(dhCommit).replies().get(0);
        String reveal = attacker.receive(dhKey).replies().get(0);
        return new Staged(server, reseal(reveal, secret(attacker, 3)), reveal);
    }

    private static Staged staged(String which) throws Exception {
        return which.equals("signature") ? signature() : revealSignature();
    }

    @ParameterizedTest
    @ValueSource(strings = {"signature", "reveal signature"})
    void aSealedPublicKeyClaimingMoreThanTheMessageHoldsIsRefusedWithoutAllocatingIt(String which) throws Exception {
        Staged warmUp = staged(which); // loads the classes and providers of the check
        assertThrows(OtrFailure.class, () -> warmUp.server().receive(warmUp.hostile()));

        Staged s = staged(which);
        long before = allocatedBytes();
        OtrFailure refused = assertThrows(OtrFailure.class, () -> s.server().receive(s.hostile()));
        long allocated = allocatedBytes() - before;
        assertEquals("The OTR message is malformed.", refused.getMessage());
        long bound = (long) ALLOCATION_FACTOR * s.hostile().length() + ALLOCATION_CONSTANT;
        assertTrue(allocated <= bound, which + ": refusing " + s.hostile().length() + " characters allocated "
                + allocated + " bytes; at most " + bound);
        assertFalse(s.server().isEncrypted());
        assertTrue(s.server().remoteKey().isEmpty());
    }

    /** The check computes otr4j's keys exactly: the genuine message is accepted and the handshake completes. */
    @ParameterizedTest
    @ValueSource(strings = {"signature", "reveal signature"})
    void theGenuineMessagePassesTheCheckAndCompletesTheHandshake(String which) throws Exception {
        Staged s = staged(which);
        s.server().receive(s.genuine());
        if (which.equals("signature")) {
            assertTrue(s.server().isEncrypted());
            assertEquals(org.osms.protocol.OtrPublicKey.of(clientKey.getPublic()), s.server().remoteKey().orElseThrow());
        } else {
            assertTrue(s.server().isEncrypted(), "the server answered the Reveal Signature and is encrypted");
        }
    }

    /**
     * A D-H Commit seals g^x under a key r revealed later, with its hash: the sender chooses that plaintext, and
     * otr4j read its MPI at the claimed length once the hash matched. Built by hand, as no OTR engine sends this.
     */
    @Test
    void aSealedGxClaimingMoreThanItHoldsIsRefusedWhenItsKeyIsRevealed() throws Exception {
        byte[] r = new byte[16];
        new java.security.SecureRandom().nextBytes(r);
        byte[] plain = ByteBuffer.allocate(4 + 8).putInt(CLAIM).putLong(0x0102030405060708L).array();
        byte[] sealed = OtrSealedSignature.aesCtr(r, plain);
        byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(plain);
        int tag = 0x1234_5678;
        String dhCommit = "?OTR:" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(11 + 4 + 12 + 4 + 32)
                .putShort((short) 3).put((byte) 0x02).putInt(tag).putInt(0).putInt(12).put(sealed).putInt(32)
                .put(hash).array()) + ".";
        for (int round = 0; round < 2; round++) { // the first round loads the classes of the check
            OtrConversation server = new OtrConversation("osms", "client", serverKey);
            String dhKey = server.receive(dhCommit).replies().get(0);
            int serverTag = ByteBuffer.wrap(decode(dhKey)).getInt(3);
            String reveal = "?OTR:" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(11 + 4 + 16 + 4 + 1 + 20)
                    .putShort((short) 3).put((byte) 0x11).putInt(tag).putInt(serverTag).putInt(16).put(r).putInt(1)
                    .put((byte) 0).put(new byte[20]).array()) + ".";
            long before = allocatedBytes();
            OtrFailure refused = assertThrows(OtrFailure.class, () -> server.receive(reveal));
            long allocated = allocatedBytes() - before;
            long bound = (long) ALLOCATION_FACTOR * reveal.length() + ALLOCATION_CONSTANT;
            assertTrue(round == 0 || allocated <= bound, "refusing " + reveal.length() + " characters allocated "
                    + allocated + " bytes; at most " + bound);
            assertEquals("The OTR message is malformed.", refused.getMessage());
            assertFalse(server.isEncrypted());
        }
    }

    /** A D-H Commit by hand: g^x sealed under r, with its hash; its x and r, to go on with the handshake. */
    private record Commit(BigInteger x, byte[] r, String message) {
    }

    private static final int CLIENT_TAG = 0x1234_5678;

    private static Commit commit() throws Exception {
        java.security.SecureRandom random = new java.security.SecureRandom();
        BigInteger x = new BigInteger(320, random);
        byte[] gx = net.java.otr4j.crypto.OtrCryptoEngine.GENERATOR
                .modPow(x, net.java.otr4j.crypto.OtrCryptoEngine.MODULUS).toByteArray();
        if (gx[0] == 0) {
            gx = Arrays.copyOfRange(gx, 1, gx.length);
        }
        byte[] plain = ByteBuffer.allocate(4 + gx.length).putInt(gx.length).put(gx).array();
        byte[] r = new byte[16];
        random.nextBytes(r);
        byte[] sealed = OtrSealedSignature.aesCtr(r, plain);
        byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(plain);
        return new Commit(x, r, "?OTR:" + Base64.getEncoder().encodeToString(ByteBuffer
                .allocate(11 + 4 + sealed.length + 4 + 32).putShort((short) 3).put((byte) 0x02).putInt(CLIENT_TAG)
                .putInt(0).putInt(sealed.length).put(sealed).putInt(32).put(hash).array()) + ".");
    }

    private static String revealSignature(int serverTag, byte[] r, byte[] encrypted, byte[] mac) {
        return "?OTR:" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(11 + 4 + 16 + 4 + encrypted.length + 20)
                .putShort((short) 3).put((byte) 0x11).putInt(CLIENT_TAG).putInt(serverTag).putInt(16).put(r)
                .putInt(encrypted.length).put(encrypted).put(mac).array()) + ".";
    }

    /**
     * otr4j derives the MAC and encryption keys of a Reveal Signature once and keeps them, also when a second D-H
     * Commit replaces the first. A Reveal Signature for the first commit with a wrong MAC made it derive them; a
     * Reveal Signature for the second commit, MACed with the first's key, then passed otr4j's MAC check while this
     * check (under the second commit's secret) saw no MAC verify and let otr4j ignore it: otr4j parsed its X
     * unchecked and allocated the 64 MiB it claimed, for a message of 110 characters.
     */
    @Test
    void aRevealSignatureMacedWithTheKeysOfAnEarlierCommitIsRefusedUnread() throws Exception {
        for (int round = 0; round < 2; round++) { // the first round loads the classes of the check
            OtrConversation server = new OtrConversation("osms", "client", serverKey);
            Commit first = commit();
            String dhKey = server.receive(first.message()).replies().get(0);
            ByteBuffer key = ByteBuffer.wrap(decode(dhKey));
            int serverTag = key.getInt(3);
            byte[] gy = new byte[key.getInt(11)];
            key.position(15);
            key.get(gy);
            BigInteger modulus = net.java.otr4j.crypto.OtrCryptoEngine.MODULUS;
            BigInteger firstSecret = new BigInteger(1, gy).modPow(first.x(), modulus);

            OtrFailure unverified = assertThrows(OtrFailure.class,
                    () -> server.receive(revealSignature(serverTag, first.r(), new byte[] {0}, new byte[20])));
            assertEquals("The signature message does not verify in this handshake.", unverified.getMessage(),
                    "a Reveal Signature the handshake awaits whose MAC verifies under no key is refused");

            Commit second = commit();
            assertEquals(1, server.receive(second.message()).replies().size(), "otr4j takes the second commit");
            byte[] x = ByteBuffer.allocate(2 + 4 + 16).putShort((short) 0).putInt(CLAIM).put(new byte[16]).array();
            BigInteger secondSecret = new BigInteger(1, gy).modPow(second.x(), modulus);
            byte[] encrypted = OtrSealedSignature.aesCtr(
                    Arrays.copyOfRange(OtrSealedSignature.h2(0x01, secondSecret), 0, 16), x);
            byte[] field = ByteBuffer.allocate(4 + encrypted.length).putInt(encrypted.length).put(encrypted).array();
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(OtrSealedSignature.h2(0x03, firstSecret), "HmacSHA256"));
            String hostile = revealSignature(serverTag, second.r(), encrypted, Arrays.copyOf(mac.doFinal(field), 20));

            long before = allocatedBytes();
            assertThrows(OtrFailure.class, () -> server.receive(hostile));
            long allocated = allocatedBytes() - before;
            long bound = (long) ALLOCATION_FACTOR * hostile.length() + ALLOCATION_CONSTANT;
            assertTrue(round == 0 || allocated <= bound, "refusing " + hostile.length() + " characters allocated "
                    + allocated + " bytes; at most " + bound);
            assertFalse(server.isEncrypted());
        }
    }

    @Test
    void xsLengthsMustFitWhatWasReceived() {
        // type 0x0000, then four MPIs, then the key id
        byte[] fits = ByteBuffer.allocate(2 + 4 * 5 + 4).putShort((short) 0).putInt(1).put((byte) 1).putInt(1)
                .put((byte) 1).putInt(1).put((byte) 1).putInt(1).put((byte) 1).putInt(7).array();
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> OtrSealedSignature.checkX(fits));
        byte[] notDsa = fits.clone();
        notDsa[1] = 1;
        assertThrows(OtrFailure.class, () -> OtrSealedSignature.checkX(notDsa));
        byte[] pastTheEnd = fits.clone();
        pastTheEnd[5] = 30; // p claims 30 bytes of 24 left
        assertThrows(OtrFailure.class, () -> OtrSealedSignature.checkX(pastTheEnd));
        byte[] noKeyId = Arrays.copyOf(fits, fits.length - 1);
        assertThrows(OtrFailure.class, () -> OtrSealedSignature.checkX(noKeyId));
        assertThrows(OtrFailure.class, () -> OtrSealedSignature.checkX(x(1, 33, 1, 1)), "q over 256 bits");
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> OtrSealedSignature.checkX(x(384, 32, 384, 384)),
                "a 3072-bit p, g and y and a 256-bit q: the largest key OSMS accepts");
        for (int[] sizes : new int[][] {{385, 32, 384, 384}, {384, 32, 385, 384}, {384, 32, 384, 385}}) {
            assertThrows(OtrFailure.class, () -> OtrSealedSignature.checkX(x(sizes[0], sizes[1], sizes[2], sizes[3])),
                    "p, g or y over 3072 bits: a DSA check four times as costly as any key OSMS accepts");
        }
    }

    /** An X holding a DSA public key of MPIs of these lengths (bytes), and a key id. */
    private static byte[] x(int p, int q, int g, int y) {
        ByteBuffer b = ByteBuffer.allocate(2 + 4 * 4 + p + q + g + y + 4).putShort((short) 0);
        for (int length : new int[] {p, q, g, y}) {
            byte[] magnitude = new byte[length];
            magnitude[0] = 1;
            b.putInt(length).put(magnitude);
        }
        return b.putInt(7).array();
    }
}
