package org.osms.protocol;

/**
 * {@code GET /user/{username}}: everything the server keeps about a user, which is the username and one public key.
 *
 * @param username    the canonical (lowercase) username
 * @param status      {@code active}, {@code unpublished} (key hidden by its owner) or {@code revoked}
 * @param publicKey   OTR serialized DSA public key; absent unless the status is {@code active}
 * @param fingerprint its OTR fingerprint; absent unless the status is {@code active}
 */
public record UserView(String username, String status, byte[] publicKey, String fingerprint) {
}
