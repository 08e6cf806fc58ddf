package org.osms.directory;

import org.osms.protocol.Fingerprint;
import org.osms.protocol.Username;

/**
 * What the public lookup reads of an identity: its id, the name it holds, its status and its current key. A value
 * read for one answer and then dropped; commands change identities through {@link Directory} and {@link Identity}.
 */
public final class DirectoryEntry {
    private final long id;
    private final Username username;
    private final IdentityStatus status;
    private final IdentityStatus statusBeforeSuspension;
    private final byte[] publicKey;
    private final Fingerprint fingerprint;

    /**
     * @param statusBeforeSuspension while suspended, the status a reinstatement restores; null otherwise
     * @param publicKey the key exactly as stored (validated when it was registered); null once the account is deleted
     * @param fingerprint the key's fingerprint; null exactly when {@code publicKey} is
     */
    DirectoryEntry(long id, Username username, IdentityStatus status, IdentityStatus statusBeforeSuspension,
                   byte[] publicKey, Fingerprint fingerprint) {
        if ((publicKey == null) != (fingerprint == null)) {
            throw new IllegalStateException("an identity's key and fingerprint are stored together");
        }
        this.id = id;
        this.username = username;
        this.status = status;
        this.statusBeforeSuspension = statusBeforeSuspension;
        this.publicKey = publicKey;
        this.fingerprint = fingerprint;
    }

    public long id() {
        return id;
    }

    public Username username() {
        return username;
    }

    public IdentityStatus status() {
        return status;
    }

    /**
     * Whether {@code GET /user} shows the key. A suspension hides nothing: a key that was published stays published
     * (it is still the identity's key, and messages it sent before the suspension must stay readable); an
     * unpublished one stays hidden. Revoked and deleted identities show none.
     */
    public boolean keyPublished() {
        return status == IdentityStatus.ACTIVE
                || status == IdentityStatus.SUSPENDED && statusBeforeSuspension == IdentityStatus.ACTIVE;
    }

    /** The key as stored; only for an identity whose key is published. */
    public byte[] publishedKey() {
        return requirePublished(publicKey).clone();
    }

    /** The key's fingerprint; only for an identity whose key is published. */
    public Fingerprint publishedFingerprint() {
        return requirePublished(fingerprint);
    }

    private <T> T requirePublished(T value) {
        if (!keyPublished() || value == null) {
            throw new IllegalStateException("the identity's key is not published");
        }
        return value;
    }
}
