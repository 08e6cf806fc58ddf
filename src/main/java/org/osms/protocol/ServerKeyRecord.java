package org.osms.protocol;

/**
 * One key of the server's key history ({@code GET /pk/history}).
 *
 * @param serial               1 for the server's first key, then one more for each rotation
 * @param publicKey            OTR serialized DSA public key
 * @param fingerprint          its OTR fingerprint
 * @param createdAt            when the key was made (and, after the first, when it took over), Unix milliseconds
 * @param previousKeySignature the key before it (serial − 1) signs {@link ServerKeyHandover#statement}: the handover
 *                             is authorised by the key clients pinned; absent for serial 1
 * @param keySignature         this key signs the same statement: its holder took the handover; absent for serial 1
 */
public record ServerKeyRecord(long serial, byte[] publicKey, String fingerprint, long createdAt,
                              byte[] previousKeySignature, byte[] keySignature) {
}
