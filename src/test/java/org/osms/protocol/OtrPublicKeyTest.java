package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.DSAPublicKey;
import java.util.Arrays;
import net.java.otr4j.crypto.OtrCryptoEngineImpl;
import net.java.otr4j.io.SerializationUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OtrPublicKeyTest {
    private static KeyPair pair;

    @BeforeAll
    static void generate() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        pair = g.generateKeyPair();
    }

    @Test
    void serializationAndFingerprintAgreeWithOtr4j() throws Exception {
        OtrPublicKey key = OtrPublicKey.of(pair.getPublic());
        assertArrayEquals(SerializationUtils.writePublicKey(pair.getPublic()), key.serialized());
        String otr4jFingerprint = new OtrCryptoEngineImpl().getFingerprint(pair.getPublic());
        assertEquals(otr4jFingerprint.toLowerCase(java.util.Locale.ROOT), key.fingerprint().hex());
    }

    @Test
    void fingerprintOfAgreesWithTheValidatedKeyAndWithOtr4j() throws Exception {
        assertEquals(OtrPublicKey.of(pair.getPublic()).fingerprint(), OtrPublicKey.fingerprintOf(pair.getPublic()));
        assertEquals(new OtrCryptoEngineImpl().getFingerprint(pair.getPublic()).toLowerCase(java.util.Locale.ROOT),
                OtrPublicKey.fingerprintOf(pair.getPublic()).hex());
        KeyPair other = KeyPairGenerator.getInstance("DSA").generateKeyPair();
        assertNotEquals(OtrPublicKey.fingerprintOf(pair.getPublic()), OtrPublicKey.fingerprintOf(other.getPublic()));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> OtrPublicKey.fingerprintOf(KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic()));
        assertEquals("bad_public_key", e.code());
    }

    @Test
    void parseRoundTripsAndYieldsTheSameKey() {
        OtrPublicKey key = OtrPublicKey.of(pair.getPublic());
        OtrPublicKey parsed = OtrPublicKey.parse(key.serialized());
        assertEquals(key, parsed);
        assertEquals(((DSAPublicKey) pair.getPublic()).getY(), parsed.dsaKey().getY());
        assertEquals(key.fingerprint(), parsed.fingerprint());
    }

    @Test
    void rejectsTruncatedTrailingAndMistypedKeys() {
        byte[] good = OtrPublicKey.of(pair.getPublic()).serialized();
        assertBad(Arrays.copyOf(good, good.length - 1));
        assertBad(Arrays.copyOf(good, good.length + 1));
        byte[] typed = good.clone();
        typed[1] = 1;
        assertBad(typed);
        assertBad(new byte[0]);
        assertBad(null);
        assertBad(new byte[OtrPublicKey.MAX_SERIALIZED_LENGTH + 1]);
    }

    @Test
    void rejectsAnInflatedMpiLengthWithoutAllocatingIt() {
        byte[] good = OtrPublicKey.of(pair.getPublic()).serialized();
        ByteBuffer.wrap(good).putInt(2, Integer.MAX_VALUE);
        assertBad(good);
    }

    @Test
    void rejectsAPublicValueOutsideTheSubgroup() {
        DSAPublicKey dsa = (DSAPublicKey) pair.getPublic();
        BigInteger p = dsa.getParams().getP();
        // p-1 has order 2, not q: a classic small-subgroup value.
        byte[] forged = withY(dsa, p.subtract(BigInteger.ONE));
        assertBad(forged);
        assertBad(withY(dsa, BigInteger.ONE));
    }

    @Test
    void differentKeysHaveDifferentFingerprints() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        assertNotEquals(OtrPublicKey.of(pair.getPublic()).fingerprint(),
                OtrPublicKey.of(g.generateKeyPair().getPublic()).fingerprint());
    }

    private static byte[] withY(DSAPublicKey dsa, BigInteger y) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        for (BigInteger v : new BigInteger[] {dsa.getParams().getP(), dsa.getParams().getQ(),
                dsa.getParams().getG(), y}) {
            byte[] m = v.toByteArray();
            int off = m[0] == 0 && m.length > 1 ? 1 : 0;
            out.writeBytes(ByteBuffer.allocate(4).putInt(m.length - off).array());
            out.write(m, off, m.length - off);
        }
        return out.toByteArray();
    }

    private static void assertBad(byte[] bytes) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> OtrPublicKey.parse(bytes));
        assertEquals("bad_public_key", e.code());
    }
}
