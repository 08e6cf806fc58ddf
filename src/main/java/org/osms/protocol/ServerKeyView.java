package org.osms.protocol;

/**
 * {@code GET /pk}: the server's OTR long-term public key. Clients check that the key the server proves in the OTR
 * handshake has this fingerprint.
 *
 * @param publicKey   OTR serialized DSA public key
 * @param fingerprint OTR fingerprint, 40 lowercase hex digits
 * @param createdAt   when the key was generated, milliseconds since the epoch
 */
public record ServerKeyView(byte[] publicKey, String fingerprint, long createdAt) {
}
