package org.osms.messaging;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** An identity refuses messages from another. */
@Entity
@Cacheable(false)
@Table(name = "mailbox_block")
@IdClass(Block.Key.class)
public class Block {
    @Id
    @Column(name = "owner_id")
    private long ownerId;

    @Id
    @Column(name = "blocked_id")
    private long blockedId;

    @Column(name = "blocked_at", nullable = false, updatable = false)
    private long blockedAt;

    /** The composite primary key: who blocks whom. */
    public static final class Key implements Serializable {
        private static final long serialVersionUID = 1L;

        private long ownerId;
        private long blockedId;

        public Key() {
            // for JPA
        }

        Key(long ownerId, long blockedId) {
            this.ownerId = ownerId;
            this.blockedId = blockedId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.ownerId == ownerId && k.blockedId == blockedId;
        }

        @Override
        public int hashCode() {
            return Objects.hash(ownerId, blockedId);
        }
    }

    protected Block() {
        // for JPA
    }

    Block(long ownerId, long blockedId, long blockedAt) {
        this.ownerId = ownerId;
        this.blockedId = blockedId;
        this.blockedAt = blockedAt;
    }

    public long blockedId() {
        return blockedId;
    }

    public long blockedAt() {
        return blockedAt;
    }
}
