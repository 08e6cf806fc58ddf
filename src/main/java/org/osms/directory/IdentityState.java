package org.osms.directory;

/** The audited part of an identity at one moment: its name, key fingerprint and key. */
record IdentityState(String username, String fingerprint, byte[] publicKey) {
}
