package org.osms.protocol;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.DSAPrivateKeySpec;
import java.security.spec.DSAPublicKeySpec;

/**
 * DSA keys of chosen parameters that an OTR engine signs and verifies with, for tests of what OSMS refuses: a p of a
 * size OSMS does not accept, or a q that is not prime.
 */
public final class DsaKeys {
    private DsaKeys() {
    }

    /**
     * A key pair in the subgroup of order {@code q} of a prime p of {@code pBits} bits (p = kq + 1): g and y have
     * order dividing q, so signatures verify whether or not q is prime.
     */
    public static KeyPair inSubgroup(BigInteger q, int pBits) throws Exception {
        SecureRandom random = new SecureRandom();
        BigInteger p;
        do {
            BigInteger k = new BigInteger(pBits - q.bitLength(), random).setBit(pBits - q.bitLength() - 1).clearBit(0);
            p = k.multiply(q).add(BigInteger.ONE);
        } while (p.bitLength() != pBits || !p.isProbablePrime(64));
        BigInteger g;
        int h = 2;
        do {
            g = BigInteger.valueOf(h++).modPow(p.subtract(BigInteger.ONE).divide(q), p);
        } while (g.equals(BigInteger.ONE));
        BigInteger x = new BigInteger(q.bitLength() - 1, random).setBit(q.bitLength() - 2);
        KeyFactory dsa = KeyFactory.getInstance("DSA");
        return new KeyPair(dsa.generatePublic(new DSAPublicKeySpec(g.modPow(x, p), p, q, g)),
                dsa.generatePrivate(new DSAPrivateKeySpec(x, p, q, g)));
    }
}
