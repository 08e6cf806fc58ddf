package org.osms.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the public, append-only audit log, as published by {@code GET /audit} and
 * {@code GET /user/{username}/history}. Each entry carries the hash of the previous entry and its own hash over the
 * canonical encoding below (docs/protocol.md, "Audit entry canonical encoding"), so anyone can recompute the chain:
 * <pre>
 *   "OSMS-AUDIT-1"            12 ASCII bytes
 *   seq                       uint64, big-endian
 *   recordedAt                int64, big-endian, milliseconds since 1970-01-01T00:00:00Z
 *   identityId                int64, big-endian
 *   event                     str
 *   usernameBefore            optstr      usernameAfter     optstr
 *   fingerprintBefore         optstr      fingerprintAfter  optstr
 *   publicKeyBefore           optbytes    publicKeyAfter    optbytes
 *   prevHash                  32 bytes (all zero for the first entry)
 *
 *   str      = uint32 big-endian length, then that many UTF-8 bytes
 *   optstr   = 0x00 (absent) | 0x01 str
 *   optbytes = 0x00 (absent) | 0x01, uint32 big-endian length, the bytes
 *   hash     = SHA-256 of the encoding
 * </pre>
 */
public record AuditRecord(
        long seq,
        long recordedAt,
        long identityId,
        String event,
        String usernameBefore,
        String usernameAfter,
        String fingerprintBefore,
        String fingerprintAfter,
        byte[] publicKeyBefore,
        byte[] publicKeyAfter,
        byte[] prevHash,
        byte[] hash) {

    public static final int HASH_LENGTH = 32;
    private static final byte[] MAGIC = "OSMS-AUDIT-1".getBytes(StandardCharsets.US_ASCII);

    /** The previous-hash value of the very first entry. */
    public static byte[] genesisHash() {
        return new byte[HASH_LENGTH];
    }

    /** The canonical encoding of every field except {@code hash}. */
    public byte[] canonicalBytes() {
        Objects.requireNonNull(event, "event");
        if (prevHash == null || prevHash.length != HASH_LENGTH) {
            throw new IllegalArgumentException("prevHash must be " + HASH_LENGTH + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(MAGIC);
        writeLong(out, seq);
        writeLong(out, recordedAt);
        writeLong(out, identityId);
        writeBytes(out, event.getBytes(StandardCharsets.UTF_8));
        writeOptional(out, utf8(usernameBefore));
        writeOptional(out, utf8(usernameAfter));
        writeOptional(out, utf8(fingerprintBefore));
        writeOptional(out, utf8(fingerprintAfter));
        writeOptional(out, publicKeyBefore);
        writeOptional(out, publicKeyAfter);
        out.writeBytes(prevHash);
        return out.toByteArray();
    }

    /** SHA-256 of {@link #canonicalBytes()}: the value this entry's {@code hash} must have. */
    public byte[] computeHash() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonicalBytes());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /** This entry with its hash computed. */
    public AuditRecord sealed() {
        return new AuditRecord(seq, recordedAt, identityId, event, usernameBefore, usernameAfter,
                fingerprintBefore, fingerprintAfter, publicKeyBefore, publicKeyAfter, prevHash, computeHash());
    }

    /** Whether the stored hash matches the recomputed one (constant-time comparison). */
    public boolean hashIsValid() {
        return hash != null && MessageDigest.isEqual(hash, computeHash());
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift));
        }
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
        int len = b.length;
        out.write(len >>> 24);
        out.write(len >>> 16);
        out.write(len >>> 8);
        out.write(len);
        out.writeBytes(b);
    }

    private static void writeOptional(ByteArrayOutputStream out, byte[] b) {
        if (b == null) {
            out.write(0);
        } else {
            out.write(1);
            writeBytes(out, b);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditRecord r && seq == r.seq && recordedAt == r.recordedAt
                && identityId == r.identityId && Objects.equals(event, r.event)
                && Objects.equals(usernameBefore, r.usernameBefore) && Objects.equals(usernameAfter, r.usernameAfter)
                && Objects.equals(fingerprintBefore, r.fingerprintBefore)
                && Objects.equals(fingerprintAfter, r.fingerprintAfter)
                && Arrays.equals(publicKeyBefore, r.publicKeyBefore) && Arrays.equals(publicKeyAfter, r.publicKeyAfter)
                && Arrays.equals(prevHash, r.prevHash) && Arrays.equals(hash, r.hash);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seq) * 31 + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "AuditRecord[seq=" + seq + ", event=" + event + ", identityId=" + identityId + "]";
    }
}
