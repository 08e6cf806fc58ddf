package org.osms.serverkey;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.Optional;

/** Reads and inserts the stored key pair, each in its own transaction. */
@ApplicationScoped
public class ServerKeyStore {
    @PersistenceContext(unitName = "osms")
    EntityManager em;

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<ServerKeyRow> load() {
        return Optional.ofNullable(em.find(ServerKeyRow.class, ServerKeyRow.CURRENT));
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void insert(ServerKeyRow row) {
        em.persist(row);
    }
}
