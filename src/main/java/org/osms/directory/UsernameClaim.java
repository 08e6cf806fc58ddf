package org.osms.directory;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A username some identity has used: it stays that identity's for good (the application may not delete it). */
@Entity
@Cacheable(false)
@Table(name = "username_claim")
public class UsernameClaim {
    @Id
    @Column(name = "username", length = 32)
    private String username;

    @Column(name = "identity_id", nullable = false)
    private long identityId;

    @Column(name = "claimed_at", nullable = false)
    private long claimedAt;

    protected UsernameClaim() {
        // for JPA
    }

    UsernameClaim(String username, long identityId, long claimedAt) {
        this.username = username;
        this.identityId = identityId;
        this.claimedAt = claimedAt;
    }

    long identityId() {
        return identityId;
    }
}
