package org.osms.serverkey;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.osms.protocol.ServerKeyRecord;

/** Reads and changes the stored key pair and the public key history, each call in its own transaction. */
@ApplicationScoped
public class ServerKeyStore {
    @PersistenceContext(unitName = "osms")
    EntityManager em;

    /** The key pair in use: the one with the highest serial (a rotation leaves only that one). */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<ServerKeyRow> load() {
        return current();
    }

    /** Stores the server's first key pair and the first entry of its history, together. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void insertFirst(ServerKeyRow row) {
        em.persist(row);
        em.persist(new ServerKeyHistoryEntry(new ServerKeyRecord(row.serial(), row.publicKey(), row.fingerprint(),
                row.createdAt(), null, null)));
        em.flush();
    }

    /**
     * Replaces the key pair in use by the one {@code next} makes from it (it signs the handover), in one
     * transaction: the new pair and its history entry are stored and the old pair's row is deleted (a deleted row is
     * not erased bytes: the database's files may hold it until the space is reused; README). Two rotations at once
     * both build the same next serial: the later insert violates the primary keys and rolls back, changing nothing.
     * (No row lock: on PostgreSQL {@code SELECT … FOR UPDATE} needs the UPDATE privilege, which the application's
     * account does not have on the table that holds the private key.)
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Rotation rotate(Function<ServerKeyRow, Rotation> next) {
        ServerKeyRow old = current()
                .orElseThrow(() -> new IllegalStateException("No server key is stored yet."));
        Rotation rotation = next.apply(old);
        em.persist(rotation.row());
        em.persist(new ServerKeyHistoryEntry(rotation.record()));
        em.remove(old);
        em.flush();
        return rotation;
    }

    /** A new key pair and its entry in the history. */
    public record Rotation(ServerKeyRow row, ServerKeyRecord record) {
    }

    /** Every key the server has had, oldest first. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<ServerKeyRecord> history() {
        return em.createNamedQuery("ServerKeyHistoryEntry.all", ServerKeyHistoryEntry.class).getResultList().stream()
                .map(ServerKeyHistoryEntry::toRecord).toList();
    }

    private Optional<ServerKeyRow> current() {
        Integer serial = em.createQuery("SELECT MAX(r.id) FROM ServerKeyRow r", Integer.class).getSingleResult();
        return serial == null ? Optional.empty() : Optional.ofNullable(em.find(ServerKeyRow.class, serial));
    }
}
