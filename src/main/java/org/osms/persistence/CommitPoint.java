package org.osms.persistence;

import jakarta.persistence.EntityManager;

/**
 * The point in a transaction after which a failure no longer means that nothing was done: everything the transaction
 * does has been written to the database ({@code flush}), and only its commit is left. A failure before that point
 * rolled the transaction back. A failure after it came from the commit itself, say a connection lost while the
 * database was committing, and the transaction may have committed or not: only reading the data again tells which.
 *
 * <p>One per transaction, made by the caller that must tell the two apart and passed to the transactional method,
 * which calls {@link #reach} as its last step (an EJB's local view passes it by reference).
 */
public final class CommitPoint {
    private volatile boolean reached;

    /** Writes everything the transaction holds to the database; from now on only the commit is left. */
    public void reach(EntityManager em) {
        em.flush();
        reached = true;
    }

    /** Whether the transaction's work was all written: a failure after this may have come after its commit. */
    public boolean reached() {
        return reached;
    }
}
