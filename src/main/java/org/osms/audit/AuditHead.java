package org.osms.audit;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.osms.protocol.AuditRecord;

/** The single chain-head row: the last sequence number and hash. Every append locks it, which serialises appends. */
@Entity
@Cacheable(false)
@Table(name = "audit_head")
public class AuditHead {
    static final int ID = 1;

    @Id
    private int id;

    @Column(name = "last_seq", nullable = false)
    private long lastSeq;

    @Column(name = "last_hash")
    private byte[] lastHash;

    protected AuditHead() {
        // for JPA
    }

    long lastSeq() {
        return lastSeq;
    }

    byte[] lastHash() {
        return lastHash == null ? AuditRecord.genesisHash() : lastHash.clone();
    }

    void advance(AuditRecord sealed) {
        this.lastSeq = sealed.seq();
        this.lastHash = sealed.hash().clone();
    }
}
