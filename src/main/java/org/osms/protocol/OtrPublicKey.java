package org.osms.protocol;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.DSAParams;
import java.security.interfaces.DSAPublicKey;
import java.security.spec.DSAPublicKeySpec;
import java.security.spec.InvalidKeySpecException;
import java.util.Arrays;

/**
 * An OTR long-term public key: a DSA key in OTR's serialized form (OTR version 3, "Public keys"):
 * <pre>
 *   SHORT  pubkey type = 0x0000 (DSA)
 *   MPI    p, q, g, y      (MPI = 4-byte big-endian length, then the big-endian magnitude, no leading zeros)
 * </pre>
 * Parsing is strict and validates the key mathematically, because keys arrive from untrusted clients: p and q
 * prime, q divides p-1, g and y elements of the order-q subgroup.
 */
public final class OtrPublicKey {
    /** Largest serialized key accepted (a 3072-bit key is about 1.2 KiB); anything bigger is hostile. */
    public static final int MAX_SERIALIZED_LENGTH = 2048;
    private static final int DSA_TYPE = 0x0000;

    private final byte[] serialized;
    private final DSAPublicKey key;
    private final Fingerprint fingerprint;

    private OtrPublicKey(byte[] serialized, DSAPublicKey key) {
        this.serialized = serialized;
        this.key = key;
        this.fingerprint = Fingerprint.ofKeyBytes(Arrays.copyOfRange(serialized, 2, serialized.length));
    }

    /** Wraps a DSA key from the JCA (for instance a freshly generated one). */
    public static OtrPublicKey of(PublicKey publicKey) {
        return ofUnproven(publicKey).requirePrimes();
    }

    /**
     * Wraps a DSA key from the JCA, checked in all but the primality of p and q, as {@link #parseUnproven} checks;
     * such a key must not be stored or trusted before {@link #requirePrimes} has returned.
     */
    public static OtrPublicKey ofUnproven(PublicKey publicKey) {
        if (!(publicKey instanceof DSAPublicKey dsa)) {
            throw new ProtocolException("bad_public_key", "An OTR public key is a DSA key.");
        }
        DSAParams params = dsa.getParams();
        validateAllButPrimality(params.getP(), params.getQ(), params.getG(), dsa.getY());
        return new OtrPublicKey(serialize(params.getP(), params.getQ(), params.getG(), dsa.getY()), dsa);
    }

    /**
     * The fingerprint of a DSA key, without validating the key: for a key that is compared with a key already
     * validated (a login's proven key against the stored one: equal fingerprints are equal keys) or that is the
     * server's own. A key about to be stored or trusted on its own goes through {@link #of} or {@link #parse}.
     * Validation tests p and q for primality, which is most of what a login costs when done on every handshake.
     */
    public static Fingerprint fingerprintOf(PublicKey publicKey) {
        if (!(publicKey instanceof DSAPublicKey dsa)) {
            throw new ProtocolException("bad_public_key", "An OTR public key is a DSA key.");
        }
        DSAParams params = dsa.getParams();
        byte[] serialized = serialize(params.getP(), params.getQ(), params.getG(), dsa.getY());
        return Fingerprint.ofKeyBytes(Arrays.copyOfRange(serialized, 2, serialized.length));
    }

    /** Parses and validates OTR's serialized form. */
    public static OtrPublicKey parse(byte[] bytes) {
        return parseUnproven(bytes).requirePrimes();
    }

    /**
     * Parses OTR's serialized form and checks everything about the key but that p and q are prime: what costs little
     * (sizes, q dividing p-1, g and y in the subgroup). The primality tests, most of a validation's cost (about a
     * third of a second for a 3072-bit p), are left to {@link #requirePrimes}, so that a caller can first refuse
     * what needs no such test (a key already in use, a wrong signature). Such a key must not be stored or trusted
     * before {@link #requirePrimes} has returned.
     */
    public static OtrPublicKey parseUnproven(byte[] bytes) {
        if (bytes == null || bytes.length < 2 + 4 * 5) {
            throw bad("The public key is too short.");
        }
        if (bytes.length > MAX_SERIALIZED_LENGTH) {
            throw bad("The public key is too long.");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int type = Short.toUnsignedInt(in.getShort());
        if (type != DSA_TYPE) {
            throw bad("Only DSA public keys (type 0x0000) are supported.");
        }
        BigInteger p = readMpi(in);
        BigInteger q = readMpi(in);
        BigInteger g = readMpi(in);
        BigInteger y = readMpi(in);
        if (in.hasRemaining()) {
            throw bad("The public key has trailing bytes.");
        }
        validateAllButPrimality(p, q, g, y);
        try {
            DSAPublicKey key = (DSAPublicKey) KeyFactory.getInstance("DSA")
                    .generatePublic(new DSAPublicKeySpec(y, p, q, g));
            return new OtrPublicKey(bytes.clone(), key);
        } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
            throw bad("The public key is not a valid DSA key.");
        }
    }

    private static BigInteger readMpi(ByteBuffer in) {
        if (in.remaining() < 4) {
            throw bad("The public key is truncated.");
        }
        int length = in.getInt();
        if (length <= 0 || length > in.remaining()) {
            throw bad("The public key has an invalid MPI length.");
        }
        byte[] magnitude = new byte[length];
        in.get(magnitude);
        if (magnitude[0] == 0) {
            throw bad("The public key has an MPI with leading zeros (OTR requires minimal encoding).");
        }
        return new BigInteger(1, magnitude);
    }

    /** Tests p and q for primality (the rest of {@link #parse}'s validation); returns this key. */
    public OtrPublicKey requirePrimes() {
        DSAParams params = key.getParams();
        requirePrimes(params.getP(), params.getQ());
        return this;
    }

    private static void requirePrimes(BigInteger p, BigInteger q) {
        if (!q.isProbablePrime(64) || !p.isProbablePrime(64)) {
            throw bad("The DSA parameters are not prime.");
        }
    }

    private static void validateAllButPrimality(BigInteger p, BigInteger q, BigInteger g, BigInteger y) {
        int pBits = p.bitLength();
        int qBits = q.bitLength();
        if (pBits < 1024 || pBits > 3072 || pBits % 64 != 0) {
            throw bad("The DSA modulus must have 1024 to 3072 bits.");
        }
        if (qBits != 160 && qBits != 224 && qBits != 256) {
            throw bad("The DSA subgroup order must have 160, 224 or 256 bits.");
        }
        if (!p.subtract(BigInteger.ONE).mod(q).equals(BigInteger.ZERO)) {
            throw bad("The DSA subgroup order does not divide p-1.");
        }
        if (!inSubgroup(g, p, q) || !inSubgroup(y, p, q)) {
            throw bad("The DSA generator or public value is not in the subgroup.");
        }
    }

    private static boolean inSubgroup(BigInteger x, BigInteger p, BigInteger q) {
        return x.compareTo(BigInteger.ONE) > 0 && x.compareTo(p) < 0 && x.modPow(q, p).equals(BigInteger.ONE);
    }

    private static byte[] serialize(BigInteger... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        for (BigInteger v : values) {
            byte[] m = v.toByteArray();
            int off = (m.length > 1 && m[0] == 0) ? 1 : 0;
            int len = m.length - off;
            out.write(len >>> 24);
            out.write(len >>> 16);
            out.write(len >>> 8);
            out.write(len);
            out.write(m, off, len);
        }
        return out.toByteArray();
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException("bad_public_key", message);
    }

    /** OTR's serialized form, including the type field. */
    public byte[] serialized() {
        return serialized.clone();
    }

    public DSAPublicKey dsaKey() {
        return key;
    }

    public Fingerprint fingerprint() {
        return fingerprint;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OtrPublicKey other && java.security.MessageDigest.isEqual(serialized, other.serialized);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(serialized);
    }

    @Override
    public String toString() {
        return "OtrPublicKey[" + fingerprint.human() + "]";
    }
}
