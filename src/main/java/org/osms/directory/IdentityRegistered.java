package org.osms.directory;

/**
 * Fired inside the transaction that registers an identity, once its row is written: an observer that stores what
 * every identity has from its first moment (its mailbox, org.osms.messaging) stores it in that transaction, so that
 * the identity and what belongs to it are committed together or not at all.
 */
public record IdentityRegistered(long identityId) {
}
