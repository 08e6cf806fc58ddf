package org.osms.directory;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.QueryHint;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.util.Objects;
import java.util.Optional;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * An identity: its current username and its one current OTR public key. The schema ties both to the identity's
 * permanent claims ({@link UsernameClaim}, {@link KeyClaim}), so a name or key is never handed to someone else.
 */
@Entity
@Cacheable(false)
@Table(name = "identity")
@NamedQuery(name = Identity.BY_USERNAME, query = "SELECT i FROM Identity i WHERE i.username = :u")
@NamedQuery(name = Identity.READ_BY_USERNAME, query = "SELECT i FROM Identity i WHERE i.username = :u",
        hints = @QueryHint(name = Identity.READ_ONLY, value = "true"))
public class Identity {
    /** Parsed once when the persistence unit starts rather than looked up by its text on every call. */
    static final String BY_USERNAME = "Identity.byUsername";
    /**
     * The same query for pure reads: EclipseLink's read-only hint (QueryHints.READ_ONLY, by name: the application
     * compiles against the Jakarta API only) is part of the query's definition, so the row is neither copied into a
     * unit of work nor watched for changes, and no hint is set per call.
     */
    static final String READ_BY_USERNAME = "Identity.readByUsername";
    static final String READ_ONLY = "eclipselink.read-only";

    @Id
    private long id;

    @Column(name = "username", nullable = false, length = 32)
    private String username;

    @Column(name = "public_key")
    private byte[] publicKey;

    @Column(name = "fingerprint", length = 40)
    private String fingerprint;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false, length = 16)
    private IdentityStatus status;

    /** While suspended: the status a reinstatement restores (ACTIVE or UNPUBLISHED); otherwise null. */
    @Enumerated(EnumType.STRING)
    @Column(name = "status_before_suspension", length = 16)
    private IdentityStatus statusBeforeSuspension;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    @Column(name = "updated_at", nullable = false)
    private long updatedAt;

    @Version
    @Column(name = "version", nullable = false)
    private long version;

    /**
     * Counts the changes that end the identity's conversations and can be undone (a key replacement, a suspension;
     * revoked and deleted are final, and refused by the status alone): a conversation acts only while the count it
     * logged in under is still the count (org.osms.session.Authority).
     */
    @Column(name = "authority_epoch", nullable = false)
    private long authorityEpoch;

    protected Identity() {
        // for JPA
    }

    Identity(long id, Username username, OtrPublicKey key, long now) {
        if (id <= 0) {
            throw new IllegalArgumentException("identity id must be positive");
        }
        this.id = id;
        this.username = Objects.requireNonNull(username, "A username is required.").value();
        setKey(Objects.requireNonNull(key, "A public key is required."));
        this.status = IdentityStatus.ACTIVE;
        this.createdAt = now;
        this.updatedAt = now;
    }

    public long id() {
        return id;
    }

    public Username username() {
        return Username.of(username);
    }

    public IdentityStatus status() {
        return status;
    }

    /** The current key; empty only once the account is deleted. Parsing re-validates it: not for hot paths. */
    public Optional<OtrPublicKey> publicKey() {
        return publicKey == null ? Optional.empty() : Optional.of(OtrPublicKey.parse(publicKey));
    }

    /**
     * The current key exactly as stored (validated when it was registered), without parsing it again: the public
     * lookups serve these bytes, and re-checking primality on every request would hand out free CPU work.
     */
    public Optional<byte[]> publicKeyBytes() {
        return publicKey == null ? Optional.empty() : Optional.of(publicKey.clone());
    }

    public Optional<Fingerprint> fingerprint() {
        return fingerprint == null ? Optional.empty() : Optional.of(Fingerprint.of(fingerprint));
    }

    /** While suspended, the status a reinstatement restores; empty otherwise. */
    public Optional<IdentityStatus> statusBeforeSuspension() {
        return Optional.ofNullable(statusBeforeSuspension);
    }

    public long createdAt() {
        return createdAt;
    }

    /** See the field: unchanged by a change that leaves the identity's conversations as they are (a rename, say). */
    public long authorityEpoch() {
        return authorityEpoch;
    }

    /** What the audit log records as the "before" or "after" state. */
    IdentityState state() {
        return new IdentityState(username, fingerprint, publicKey == null ? null : publicKey.clone());
    }

    void rename(Username newName, long now) {
        requireNotFinal();
        this.username = newName.value();
        this.updatedAt = now;
    }

    void replaceKey(OtrPublicKey key, long now) {
        requireNotFinal();
        setKey(key);
        this.authorityEpoch++;
        this.updatedAt = now;
    }

    void changeStatus(IdentityStatus next, long now) {
        requireNotFinal();
        if (status == IdentityStatus.SUSPENDED || next == IdentityStatus.SUSPENDED) {
            // only suspend() and reinstate() enter and leave a suspension: they keep the status to return to
            throw new IllegalStateException("a suspension changes only through suspend and reinstate");
        }
        if (next == IdentityStatus.DELETED) {
            this.publicKey = null;
            this.fingerprint = null;
        }
        this.status = next;
        this.updatedAt = now;
    }

    /** An administrator's suspension: remembers the status to return to. */
    void suspend(long now) {
        requireNotFinal();
        if (status == IdentityStatus.SUSPENDED) {
            throw new DirectoryException.NoChange("The identity is already suspended.");
        }
        this.statusBeforeSuspension = status;
        this.status = IdentityStatus.SUSPENDED;
        this.authorityEpoch++;
        this.updatedAt = now;
    }

    /** Ends a suspension: exactly the status the identity had before it. */
    void reinstate(long now) {
        if (status != IdentityStatus.SUSPENDED) {
            throw new DirectoryException.NoChange("The identity is not suspended.");
        }
        this.status = statusBeforeSuspension;
        this.statusBeforeSuspension = null;
        this.updatedAt = now;
    }

    private void setKey(OtrPublicKey key) {
        this.publicKey = key.serialized();
        this.fingerprint = key.fingerprint().hex();
    }

    private void requireNotFinal() {
        if (status.isFinal()) {
            throw new DirectoryException.IdentityClosed(status);
        }
    }
}
