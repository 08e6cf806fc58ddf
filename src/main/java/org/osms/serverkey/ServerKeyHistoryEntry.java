package org.osms.serverkey;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import org.osms.protocol.ServerKeyRecord;

/** One key of the public server key history: inserted once, never changed (the schema grants no UPDATE). */
@Entity
@Cacheable(false)
@Table(name = "server_key_history")
@NamedQuery(name = "ServerKeyHistoryEntry.all", query = "SELECT h FROM ServerKeyHistoryEntry h ORDER BY h.serial")
public class ServerKeyHistoryEntry {
    @Id
    private long serial;

    @Column(name = "public_key", nullable = false)
    private byte[] publicKey;

    @Column(name = "fingerprint", nullable = false, length = 40)
    private String fingerprint;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    @Column(name = "previous_key_signature")
    private byte[] previousKeySignature;

    @Column(name = "key_signature")
    private byte[] keySignature;

    protected ServerKeyHistoryEntry() {
        // for JPA
    }

    ServerKeyHistoryEntry(ServerKeyRecord r) {
        this.serial = r.serial();
        this.publicKey = r.publicKey().clone();
        this.fingerprint = r.fingerprint();
        this.createdAt = r.createdAt();
        this.previousKeySignature = r.previousKeySignature() == null ? null : r.previousKeySignature().clone();
        this.keySignature = r.keySignature() == null ? null : r.keySignature().clone();
    }

    ServerKeyRecord toRecord() {
        return new ServerKeyRecord(serial, publicKey.clone(), fingerprint, createdAt,
                previousKeySignature == null ? null : previousKeySignature.clone(),
                keySignature == null ? null : keySignature.clone());
    }
}
