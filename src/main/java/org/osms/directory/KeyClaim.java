package org.osms.directory;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A public key (by fingerprint) some identity has used: a key belongs to one identity, for good. */
@Entity
@Cacheable(false)
@Table(name = "key_claim")
public class KeyClaim {
    @Id
    @Column(name = "fingerprint", length = 40)
    private String fingerprint;

    @Column(name = "identity_id", nullable = false)
    private long identityId;

    @Column(name = "claimed_at", nullable = false)
    private long claimedAt;

    protected KeyClaim() {
        // for JPA
    }

    KeyClaim(String fingerprint, long identityId, long claimedAt) {
        this.fingerprint = fingerprint;
        this.identityId = identityId;
        this.claimedAt = claimedAt;
    }

    long identityId() {
        return identityId;
    }
}
