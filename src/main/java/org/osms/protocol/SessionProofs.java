package org.osms.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/**
 * The two proofs a client computes inside a conversation, both bound to the conversation's challenge (32 random
 * bytes the server sends when the handshake completes), so they cannot be reused in another conversation:
 * <ul>
 *   <li>proof of work for {@code register}: SHA-256 over the ASCII string
 *   {@code "OSMS-POW-1:" + base64(challenge) + ":" + username + ":" + fingerprint + ":" + counter} must begin with
 *   {@code bits} zero bits (username lowercase, fingerprint of the key proven in the handshake, counter in
 *   decimal);</li>
 *   <li>possession of a new key for {@code replace-key}: a DSA signature (SHA256withDSA, ASN.1 DER) by the new key
 *   over the ASCII string {@code "OSMS-REPLACE-KEY-1:" + base64(challenge) + ":" + fingerprint of the new key}.</li>
 * </ul>
 */
public final class SessionProofs {
    private SessionProofs() {
    }

    public static byte[] workInput(byte[] challenge, String username, String fingerprint, long counter) {
        return ("OSMS-POW-1:" + Base64.getEncoder().encodeToString(challenge) + ":" + username + ":" + fingerprint
                + ":" + counter).getBytes(StandardCharsets.US_ASCII);
    }

    public static boolean workIsDone(byte[] challenge, String username, String fingerprint, long counter, int bits) {
        return leadingZeroBits(sha256(workInput(challenge, username, fingerprint, counter))) >= bits;
    }

    /** Searches the counter a client sends with {@code register}. */
    public static long doWork(byte[] challenge, String username, String fingerprint, int bits) {
        for (long counter = 0; ; counter++) {
            if (workIsDone(challenge, username, fingerprint, counter, bits)) {
                return counter;
            }
        }
    }

    public static byte[] keyReplacementMessage(byte[] challenge, Fingerprint newKey) {
        return ("OSMS-REPLACE-KEY-1:" + Base64.getEncoder().encodeToString(challenge) + ":" + newKey.hex())
                .getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] signKeyReplacement(byte[] challenge, OtrPublicKey newKey, PrivateKey newPrivateKey) {
        try {
            Signature s = Signature.getInstance("SHA256withDSA");
            s.initSign(newPrivateKey);
            s.update(keyReplacementMessage(challenge, newKey.fingerprint()));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign with the new key", e);
        }
    }

    public static boolean keyReplacementIsSigned(byte[] challenge, OtrPublicKey newKey, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withDSA");
            s.initVerify(newKey.dsaKey());
            s.update(keyReplacementMessage(challenge, newKey.fingerprint()));
            return signature != null && signature.length <= 128 && s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static int leadingZeroBits(byte[] hash) {
        int bits = 0;
        for (byte b : hash) {
            if (b == 0) {
                bits += 8;
                continue;
            }
            return bits + Integer.numberOfLeadingZeros(b & 0xff) - 24;
        }
        return bits;
    }
}
