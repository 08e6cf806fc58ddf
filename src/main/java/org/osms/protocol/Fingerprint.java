package org.osms.protocol;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * An OTR fingerprint: the SHA-1 hash of a DSA public key's OTR serialization without its two-byte type field
 * (OTR protocol version 3, "Public keys, signatures, and fingerprints"), written as 40 lowercase hex digits.
 */
public final class Fingerprint {

    private final String hex;

    private Fingerprint(String hex) {
        this.hex = hex;
    }

    public static Fingerprint of(String hex) {
        if (hex == null || !hex40(hex)) {
            throw new ProtocolException("bad_fingerprint", "A fingerprint is 40 hexadecimal digits.");
        }
        return new Fingerprint(hex.toLowerCase(Locale.ROOT));
    }

    /** Exactly 40 ASCII hex digits; a loop rather than a regular expression, for the same reason as Username's. */
    private static boolean hex40(String s) {
        if (s.length() != 40) {
            return false;
        }
        for (int i = 0; i < 40; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    static Fingerprint ofKeyBytes(byte[] serializedWithoutType) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(serializedWithoutType);
            return new Fingerprint(HexFormat.of().formatHex(sha1));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
        }
    }

    public String hex() {
        return hex;
    }

    /** The form OTR clients show to people: five groups of eight uppercase hex digits. */
    public String human() {
        String upper = hex.toUpperCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(44);
        for (int i = 0; i < 40; i += 8) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(upper, i, i + 8);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint other
                && MessageDigest.isEqual(hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        other.hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }

    @Override
    public String toString() {
        return hex;
    }
}
