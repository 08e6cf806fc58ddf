package org.osms.audit;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import org.osms.protocol.AuditRecord;

/** One stored audit entry. Immutable: the application's database account may only SELECT and INSERT this table. */
@Entity
@Cacheable(false)
@Table(name = "audit_entry")
@NamedQueries({
    @NamedQuery(name = "AuditEntry.after",
            query = "SELECT e FROM AuditEntry e WHERE e.seq > :after ORDER BY e.seq"),
    @NamedQuery(name = "AuditEntry.ofIdentity",
            query = "SELECT e FROM AuditEntry e WHERE e.identityId = :identityId AND e.seq > :after ORDER BY e.seq"),
    @NamedQuery(name = "AuditEntry.countOfIdentitySince",
            query = "SELECT COUNT(e) FROM AuditEntry e WHERE e.identityId = :identityId AND e.recordedAt > :since"
                    + " AND e.event IN :events")
})
public class AuditEntry {
    @Id
    @Column(name = "seq")
    private long seq;

    @Column(name = "recorded_at", nullable = false, updatable = false)
    private long recordedAt;

    @Column(name = "identity_id", nullable = false, updatable = false)
    private long identityId;

    @Column(name = "event", nullable = false, updatable = false, length = 32)
    private String event;

    @Column(name = "username_before", updatable = false, length = 32)
    private String usernameBefore;

    @Column(name = "username_after", updatable = false, length = 32)
    private String usernameAfter;

    @Column(name = "fingerprint_before", updatable = false, length = 40)
    private String fingerprintBefore;

    @Column(name = "fingerprint_after", updatable = false, length = 40)
    private String fingerprintAfter;

    @Column(name = "public_key_before", updatable = false)
    private byte[] publicKeyBefore;

    @Column(name = "public_key_after", updatable = false)
    private byte[] publicKeyAfter;

    @Column(name = "prev_hash", nullable = false, updatable = false)
    private byte[] prevHash;

    @Column(name = "entry_hash", nullable = false, updatable = false)
    private byte[] entryHash;

    protected AuditEntry() {
        // for JPA
    }

    AuditEntry(AuditRecord sealed) {
        this.seq = sealed.seq();
        this.recordedAt = sealed.recordedAt();
        this.identityId = sealed.identityId();
        this.event = sealed.event();
        this.usernameBefore = sealed.usernameBefore();
        this.usernameAfter = sealed.usernameAfter();
        this.fingerprintBefore = sealed.fingerprintBefore();
        this.fingerprintAfter = sealed.fingerprintAfter();
        this.publicKeyBefore = sealed.publicKeyBefore();
        this.publicKeyAfter = sealed.publicKeyAfter();
        this.prevHash = sealed.prevHash();
        this.entryHash = sealed.hash();
    }

    public AuditRecord toRecord() {
        return new AuditRecord(seq, recordedAt, identityId, event, usernameBefore, usernameAfter, fingerprintBefore,
                fingerprintAfter, publicKeyBefore, publicKeyAfter, prevHash, entryHash);
    }

    public long seq() {
        return seq;
    }
}
