package org.osms.protocol;

/**
 * {@code GET /user/{username}}: everything the server keeps about a user, which is the username and one public key.
 *
 * @param username    the canonical (lowercase) username
 * @param status      {@code active}, {@code unpublished} (key hidden by its owner), {@code revoked} or
 *                    {@code suspended} (by an administrator, until reinstated)
 * @param publicKey   OTR serialized DSA public key; absent unless the status is {@code active}, or {@code suspended}
 *                    and the key was published when the suspension began
 * @param fingerprint its OTR fingerprint; present exactly when {@code publicKey} is
 */
public record UserView(String username, String status, byte[] publicKey, String fingerprint) {
}
