/**
 * The public, append-only audit log: one hash-chained entry per change to an identity, appended in the change's own
 * transaction under a lock on the chain head, readable by anyone through {@code GET /audit}. The database refuses
 * UPDATE and DELETE on the log to the application's account.
 */
package org.osms.audit;
