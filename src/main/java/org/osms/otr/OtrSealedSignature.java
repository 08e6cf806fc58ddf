package org.osms.otr;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The encrypted part of the AKE's Reveal Signature and Signature messages (OTR v3, "Authenticated Key Exchange"):
 * {@code X = pub, keyid, sig(M)} under AES-128-CTR, authenticated by HMAC-SHA256-160 over the DATA field.
 *
 * <p>otr4j decrypts X once its MAC verifies and parses it with the lengths X claims: each of the public key's four
 * MPIs is allocated at its claimed length (up to 2 GiB), then copied into a BigInteger (as much again), before
 * anything notices that the message held a few KiB. The other side of a handshake knows the keys, so it can send any
 * X it likes with a valid MAC. This class does otr4j's check first, with the same keys (derived from the handshake's
 * shared secret exactly as OTR v3 specifies and otr4j does), and refuses an X whose lengths do not fit what was
 * received or exceed what OSMS could ever accept. Pure computation, no otr4j types.
 */
final class OtrSealedSignature {
    /**
     * p, g and y of a DSA key at most 3072 bits, the most OSMS accepts: this bounds otr4j's DSA work to that of a key
     * OSMS could accept (a signature check with an 8192-bit p costs four times one with 3072).
     */
    static final int MAX_KEY_MPI = 384;
    /** q at most 256 bits, the most OSMS accepts; otr4j reads a signature of q's bit length / 4 bytes. */
    static final int MAX_Q_MPI = 32;
    private static final int MAC_LENGTH = 20;
    private static final int HEADER = 2 + 1 + 4 + 4;
    private static final int REVEALED_KEY = 16;

    /** The DATA field holding encrypted X (with its 4-byte length, as the MAC covers it) and its MAC. */
    private final byte[] field;
    private final byte[] encrypted;
    private final byte[] mac;
    /** A Reveal Signature's revealed key r; null for a Signature message. */
    private final byte[] revealedKey;

    private OtrSealedSignature(byte[] field, byte[] encrypted, byte[] mac, byte[] revealedKey) {
        this.field = field;
        this.encrypted = encrypted;
        this.mac = mac;
        this.revealedKey = revealedKey;
    }

    /** From a message {@link OtrEncodedMessage#parse} accepted as a Reveal Signature or Signature message. */
    static OtrSealedSignature of(String message, int type) {
        byte[] bytes = Base64.getDecoder().decode(message.substring(OtrEncodedMessage.PREFIX.length(),
                message.length() - 1));
        int at = HEADER;
        byte[] r = null;
        if (type == OtrEncodedMessage.REVEAL_SIGNATURE) {
            at += 4;
            r = Arrays.copyOfRange(bytes, at, at + REVEALED_KEY);
            at += REVEALED_KEY;
        }
        int length = ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
        byte[] field = Arrays.copyOfRange(bytes, at, at + 4 + length);
        byte[] encrypted = Arrays.copyOfRange(field, 4, field.length);
        byte[] mac = Arrays.copyOfRange(bytes, at + 4 + length, at + 4 + length + MAC_LENGTH);
        return new OtrSealedSignature(field, encrypted, mac, r);
    }

    /** Whether this is a Signature message (else a Reveal Signature message). */
    boolean isSignature() {
        return revealedKey == null;
    }

    /** A Reveal Signature's revealed key r, which decrypts the D-H Commit's g^x. */
    byte[] revealedKey() {
        return revealedKey.clone();
    }

    /** OTR v3: h2(b) = SHA-256(b || MPI(s)). */
    static byte[] h2(int b, BigInteger s) {
        byte[] magnitude = s.toByteArray();
        int skip = magnitude.length > 1 && magnitude[0] == 0 ? 1 : 0;
        int n = magnitude.length - skip;
        byte[] in = new byte[1 + 4 + n];
        in[0] = (byte) b;
        in[1] = (byte) (n >>> 24);
        in[2] = (byte) (n >>> 16);
        in[3] = (byte) (n >>> 8);
        in[4] = (byte) n;
        System.arraycopy(magnitude, skip, in, 5, n);
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether otr4j would parse X under the handshake secret s: its MAC verifies with the keys of this message
     * (m2 and c for a Reveal Signature, m2' and c' for a Signature message). Checks X when it would; an X otr4j would
     * ignore (a MAC that does not verify) is left to otr4j, which ignores it unread.
     *
     * @return whether the MAC verified (and X was checked)
     */
    boolean checkUnder(BigInteger s) throws OtrFailure {
        boolean reveal = revealedKey != null;
        byte[] macKey = h2(reveal ? 0x03 : 0x05, s);
        byte[] keys = h2(0x01, s);
        byte[] aesKey = reveal ? Arrays.copyOfRange(keys, 0, 16) : Arrays.copyOfRange(keys, 16, 32);
        if (!MessageDigest.isEqual(mac, Arrays.copyOf(hmac(macKey, field), MAC_LENGTH))) {
            return false;
        }
        checkX(aesCtr(aesKey, encrypted));
        return true;
    }

    /** X = pub (type 0x0000, DSA MPIs p, q, g, y), keyid (4 bytes), sig: every length within what was received. */
    static void checkX(byte[] x) throws OtrFailure {
        int at = 0;
        if (x.length < 2 || x[0] != 0 || x[1] != 0) {
            throw malformed();
        }
        at += 2;
        for (int max : new int[] {MAX_KEY_MPI, MAX_Q_MPI, MAX_KEY_MPI, MAX_KEY_MPI}) {
            if (x.length - at < 4) {
                throw malformed();
            }
            long length = ((long) (x[at] & 0xff) << 24) | ((x[at + 1] & 0xff) << 16) | ((x[at + 2] & 0xff) << 8)
                    | (x[at + 3] & 0xff);
            at += 4;
            if (length > max || length > x.length - at) {
                throw malformed();
            }
            at += (int) length;
        }
        if (x.length - at < 4) {
            throw malformed();
        }
    }

    static byte[] aesCtr(byte[] key, byte[] data) {
        try {
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
            return aes.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OtrFailure malformed() {
        return new OtrFailure("The OTR message is malformed.");
    }
}
