package org.osms.serverkey;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The stored key pair in use, under its serial in the key history ({@link ServerKeyHistoryEntry}). The private half
 * is PKCS#8; it never leaves the server, and a rotation deletes it with its row.
 */
@Entity
@Cacheable(false)
@Table(name = "server_key")
public class ServerKeyRow {
    /** The serial of the server's first key. */
    static final int FIRST = 1;

    @Id
    private int id;

    @Column(name = "public_key", nullable = false)
    private byte[] publicKey;

    @Column(name = "private_key", nullable = false)
    private byte[] privateKey;

    @Column(name = "fingerprint", nullable = false, length = 40)
    private String fingerprint;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    protected ServerKeyRow() {
        // for JPA
    }

    ServerKeyRow(int serial, byte[] publicKey, byte[] privateKey, String fingerprint, long createdAt) {
        this.id = serial;
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.fingerprint = fingerprint;
        this.createdAt = createdAt;
    }

    int serial() {
        return id;
    }

    String fingerprint() {
        return fingerprint;
    }

    byte[] publicKey() {
        return publicKey;
    }

    byte[] privateKey() {
        return privateKey;
    }

    long createdAt() {
        return createdAt;
    }
}
