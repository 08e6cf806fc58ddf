package org.osms.protocol;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An OTR fingerprint: the SHA-1 hash of a DSA public key's OTR serialization without its two-byte type field
 * (OTR protocol version 3, "Public keys, signatures, and fingerprints"), written as 40 lowercase hex digits.
 */
public final class Fingerprint {
    private static final Pattern HEX40 = Pattern.compile("[0-9a-fA-F]{40}");

    private final String hex;

    private Fingerprint(String hex) {
        this.hex = hex;
    }

    public static Fingerprint of(String hex) {
        if (hex == null || !HEX40.matcher(hex).matches()) {
            throw new ProtocolException("bad_fingerprint", "A fingerprint is 40 hexadecimal digits.");
        }
        return new Fingerprint(hex.toLowerCase(Locale.ROOT));
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
