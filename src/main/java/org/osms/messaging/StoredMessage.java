package org.osms.messaging;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** One waiting message: an opaque OTR message and what the server knows of its sender. Never changed once stored. */
@Entity
@Cacheable(false)
@Table(name = "mailbox_message")
@NamedQuery(name = "StoredMessage.sizes", query = "SELECT m.seq, m.senderUsername, m.bodyLength FROM StoredMessage m"
        + " WHERE m.recipientId = :r AND m.seq > :after ORDER BY m.seq")
@NamedQuery(name = "StoredMessage.through", query = "SELECT m FROM StoredMessage m WHERE m.recipientId = :r"
        + " AND m.seq > :after AND m.seq <= :last ORDER BY m.seq")
@NamedQuery(name = "StoredMessage.acknowledged", query = "SELECT COUNT(m), SUM(m.bodyLength) FROM StoredMessage m"
        + " WHERE m.recipientId = :r AND m.seq IN :seqs")
@NamedQuery(name = "StoredMessage.fromSender", query = "SELECT COUNT(m), SUM(m.bodyLength) FROM StoredMessage m"
        + " WHERE m.recipientId = :r AND m.senderId = :s")
@NamedQuery(name = "StoredMessage.deleteFromSender", query = "DELETE FROM StoredMessage m"
        + " WHERE m.recipientId = :r AND m.senderId = :s")
@NamedQuery(name = "StoredMessage.deleteAcknowledged", query = "DELETE FROM StoredMessage m"
        + " WHERE m.recipientId = :r AND m.seq IN :seqs")
@IdClass(StoredMessage.Key.class)
public class StoredMessage {
    @Id
    @Column(name = "recipient_id")
    private long recipientId;

    @Id
    @Column(name = "seq")
    private long seq;

    @Column(name = "sender_id", nullable = false, updatable = false)
    private long senderId;

    @Column(name = "sender_username", nullable = false, updatable = false, length = 32)
    private String senderUsername;

    @Column(name = "sender_fingerprint", nullable = false, updatable = false, length = 40)
    private String senderFingerprint;

    @Column(name = "received_at", nullable = false, updatable = false)
    private long receivedAt;

    @Column(name = "body", nullable = false, updatable = false, length = 65536)
    private String body;

    /**
     * The body's length, stored beside it (the schema checks that they agree): what the mailbox's counts add up,
     * read without reading the bodies.
     */
    @Column(name = "body_length", nullable = false, updatable = false)
    private int bodyLength;

    /** The composite primary key: a mailbox and a message number in it. */
    public static final class Key implements Serializable {
        private static final long serialVersionUID = 1L;

        private long recipientId;
        private long seq;

        public Key() {
            // for JPA
        }

        Key(long recipientId, long seq) {
            this.recipientId = recipientId;
            this.seq = seq;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.recipientId == recipientId && k.seq == seq;
        }

        @Override
        public int hashCode() {
            return Objects.hash(recipientId, seq);
        }
    }

    protected StoredMessage() {
        // for JPA
    }

    StoredMessage(long recipientId, long seq, long senderId, String senderUsername, String senderFingerprint,
                  long receivedAt, String body) {
        this.recipientId = recipientId;
        this.seq = seq;
        this.senderId = senderId;
        this.senderUsername = Objects.requireNonNull(senderUsername);
        this.senderFingerprint = Objects.requireNonNull(senderFingerprint);
        this.receivedAt = receivedAt;
        this.body = Objects.requireNonNull(body);
        this.bodyLength = body.length();
    }

    public long recipientId() {
        return recipientId;
    }

    public long seq() {
        return seq;
    }

    public long senderId() {
        return senderId;
    }

    public String senderUsername() {
        return senderUsername;
    }

    public String senderFingerprint() {
        return senderFingerprint;
    }

    public long receivedAt() {
        return receivedAt;
    }

    public String body() {
        return body;
    }
}
