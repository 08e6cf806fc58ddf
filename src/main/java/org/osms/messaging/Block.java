package org.osms.messaging;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.QueryHint;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** An identity refuses messages from another. */
@Entity
@Cacheable(false)
@Table(name = "mailbox_block")
@NamedQuery(name = Block.RECIPIENT_UNLESS_BLOCKED, query = "SELECT i FROM Identity i WHERE i.username = :u"
        + " AND NOT EXISTS (SELECT b FROM Block b WHERE b.ownerId = i.id AND b.blockedId = :sender)",
        hints = {@QueryHint(name = Mailboxes.READ_ONLY, value = "true"),
                @QueryHint(name = Block.BIND_PARAMETERS, value = "true")})
@IdClass(Block.Key.class)
public class Block {
    /**
     * The identity holding a name, unless it blocks the sender: a send's recipient and its block list in one
     * statement. Read-only: a send changes nothing of its recipient.
     */
    static final String RECIPIENT_UNLESS_BLOCKED = "Block.recipientUnlessBlocked";
    /**
     * EclipseLink's QueryHints.BIND_PARAMETERS, by name: EclipseLink writes the parameters of a query with a
     * subquery into its SQL text unless told to bind them, which would make every send's statement new to the
     * database (and put the username into the SQL log).
     */
    static final String BIND_PARAMETERS = "eclipselink.jdbc.bind-parameters";

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
