package org.osms.persistence;

/**
 * The point in a transaction after which a failure no longer means that nothing was done: the transaction's own work
 * is over, and only its commit is left (with what JPA writes at the commit). A failure before that point rolled the
 * transaction back. A failure after it came from the commit: a statement JPA wrote then that the database refused
 * (the transaction rolled back, {@link TransientFailures#certainlyRolledBack} says when it is sure), or a connection
 * lost while the database was committing, after which the transaction may have committed or not: only reading the
 * data again tells which.
 *
 * <p>One per transaction, made by the caller that must tell the two apart and passed to the transactional method,
 * which calls {@link #reach} as its last step (an EJB's local view passes it by reference). One request thread uses it
 * from end to end: the local call runs on the caller's thread, so its fields need no synchronization.
 */
public final class CommitPoint {
    private boolean reached;
    private boolean committed;

    /** The transaction's work is over: from now on only its commit is left. */
    public void reach() {
        reached = true;
    }

    /** Whether the transaction's work was over: a failure after this may have come after its commit. */
    public boolean isReached() {
        return reached;
    }

    /** The transactional method returned: the transaction committed. */
    public void committed() {
        committed = true;
    }

    /** Whether the transaction committed: a failure after this is no database's, and nothing it could undo. */
    public boolean isCommitted() {
        return committed;
    }
}
