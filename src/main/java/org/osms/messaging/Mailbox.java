package org.osms.messaging;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An identity's mailbox: the number its next message gets and what is waiting. Every change locks this row, so the
 * limits hold exactly and the counters always equal the stored messages.
 */
@Entity
@Cacheable(false)
@Table(name = "mailbox")
public class Mailbox {
    @Id
    @Column(name = "identity_id")
    private long identityId;

    @Column(name = "next_seq", nullable = false)
    private long nextSeq;

    @Column(name = "message_count", nullable = false)
    private int messageCount;

    @Column(name = "byte_count", nullable = false)
    private long byteCount;

    protected Mailbox() {
        // for JPA
    }

    Mailbox(long identityId) {
        this.identityId = identityId;
        this.nextSeq = 1;
    }

    long identityId() {
        return identityId;
    }

    int messageCount() {
        return messageCount;
    }

    long byteCount() {
        return byteCount;
    }

    long nextSeq() {
        return nextSeq;
    }

    /** Numbers a new message and counts it. */
    long add(int bytes) {
        messageCount++;
        byteCount += bytes;
        return nextSeq++;
    }

    void removed(int messages, long bytes) {
        messageCount -= messages;
        byteCount -= bytes;
    }
}
