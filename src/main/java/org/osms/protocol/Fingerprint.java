package org.osms.protocol;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * An OTR fingerprint: the SHA-1 hash of a DSA public key's OTR serialization without its two-byte type field
 * (OTR protocol version 3, "Public keys, signatures, and fingerprints"), written as 40 lowercase hex digits.
 *
 * <p>Held as its 160 bits, not as its 40 digits: every logged-in conversation keeps the fingerprint it proved, and
 * three fields are a third of the string.
 */
public final class Fingerprint {

    /** The hash's bytes 0–7, 8–15 and 16–19, big-endian. */
    private final long high;
    private final long middle;
    private final int low;

    private Fingerprint(byte[] sha1) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(sha1);
        this.high = b.getLong();
        this.middle = b.getLong();
        this.low = b.getInt();
    }

    public static Fingerprint of(String hex) {
        if (hex == null || !hex40(hex)) {
            throw new ProtocolException("bad_fingerprint", "A fingerprint is 40 hexadecimal digits.");
        }
        return new Fingerprint(HexFormat.of().parseHex(hex));
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
            return new Fingerprint(MessageDigest.getInstance("SHA-1").digest(serializedWithoutType));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
        }
    }

    /** The 40 lowercase hex digits. */
    public String hex() {
        HexFormat f = HexFormat.of();
        return f.toHexDigits(high) + f.toHexDigits(middle) + f.toHexDigits(low);
    }

    /** The form OTR clients show to people: five groups of eight uppercase hex digits. */
    public String human() {
        String upper = hex().toUpperCase(Locale.ROOT);
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
        // every bit compared whatever differs, as MessageDigest.isEqual does
        return o instanceof Fingerprint other
                && ((high ^ other.high) | (middle ^ other.middle) | (low ^ other.low)) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high) * 31 + Long.hashCode(middle) * 17 + low;
    }

    @Override
    public String toString() {
        return hex();
    }
}
